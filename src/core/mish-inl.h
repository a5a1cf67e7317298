// Mish and its derivative on float32 lanes: the maths of every CPU kernel.
//
// With e = e^x and n = e (e + 2): tanh(softplus(x)) = n / (n + 2); one exp
// and one reciprocal per element, forward and backward.
// Lanes below kTailBelow (e^x subnormal, -inf) and NaN take a rarely used
// path that scales e^x by 2^96 so that x e^x keeps its bits.

#if defined(MISH_SRC_CORE_MISH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SRC_CORE_MISH_INL_H_
#undef MISH_SRC_CORE_MISH_INL_H_
#else
#define MISH_SRC_CORE_MISH_INL_H_
#endif

#include "hwy/highway.h"
#include "src/core/exp-inl.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Above this, n/(n+2) rounds to 1 in float32 (and n stays finite).
inline constexpr float kClampHigh = 20.0f;
// Below this, e^x would be subnormal: see MishTail / MishGradTail.
inline constexpr float kTailBelow = -87.0f;

// 1 / d to within 0.5 ulp + 2^-28: on AVX-512 the 14-bit estimate and one
// Newton step beat a division; elsewhere the estimate is too coarse.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Reciprocal(D d, V den) {
#if HWY_TARGET <= HWY_AVX3 && HWY_ARCH_X86
  const V r0 = hn::ApproximateReciprocal(den);
  const V err = hn::NegMulAdd(den, r0, hn::Set(d, 1.0f));
  return hn::MulAdd(r0, err, r0);
#else
  return hn::Div(hn::Set(d, 1.0f), den);
#endif
}

// The shared part of forward and backward for x >= kTailBelow.
template <class D, class V = hn::Vec<D>>
struct Softplus {
  V xc;  // x clamped to kClampHigh
  V e;   // e^xc
  V n;   // e (e + 2), rounded once
  V r;   // 1 / (n + 2)

  HWY_INLINE Softplus(D d, V x) {
    xc = hn::Min(x, hn::Set(d, kClampHigh));
    e = ExpShortRange(d, xc);
    n = hn::MulAdd(e, e, hn::Add(e, e));
    r = Reciprocal(d, hn::Add(n, hn::Set(d, 2.0f)));
  }
};

// For x < kTailBelow (and NaN): n/(n+2) = e^x to float32 precision, so
// mish(x) = x e^x and mish'(x) = (1 + x) e^x. The products are formed with
// e^x scaled by 2^96 so that only the final scaling may round into the
// subnormals. x is clamped at -150, where both underflow to -0 (so that
// -inf gives -0, not inf * 0); NaN is restored explicitly.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V TailTimesExp(D d, V x, V factor_of_xm, V xm) {
  const V e_scaled = ExpShortRange<96>(d, xm);
  const V y = hn::Mul(hn::Mul(factor_of_xm, e_scaled), hn::Set(d, 0x1p-96f));
  return hn::IfThenElse(hn::IsNaN(x), x, y);
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE auto TailLanes(D d, V x) {
  return hn::Not(hn::Ge(x, hn::Set(d, kTailBelow)));  // includes NaN
}

// mish(x) = x n / (n + 2); for x > 0, x - 2x / (n + 2) keeps more bits
// (and is exactly x above kClampHigh, +inf included).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Mish(D d, V x) {
  const Softplus<D> s(d, x);
  const V pos = hn::NegMulAdd(hn::Add(s.xc, s.xc), s.r, x);
  const V neg = hn::Mul(hn::Mul(x, s.n), s.r);
  V y = hn::IfThenElse(hn::Gt(x, hn::Zero(d)), pos, neg);
  const auto tail = TailLanes(d, x);
  if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
    const V xm = hn::Max(x, hn::Set(d, -150.0f));
    y = hn::IfThenElse(tail, TailTimesExp(d, x, xm, xm), y);
  }
  return y;
}

// mish'(x) = e omega / (n + 2)^2 with
// omega = 4 (1 + x) + e (6 + 4x) + 4 e^2 + e^3: its terms share a sign
// outside [-1.2, 0], so unlike t + x sigmoid(x) (1 - t^2) it does not cancel
// near x = -2. Above kClampHigh it is 1.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V MishGrad(D d, V x) {
  const Softplus<D> s(d, x);
  const V four = hn::Set(d, 4.0f);
  V omega = hn::MulAdd(s.e, hn::Add(s.e, four),
                       hn::MulAdd(s.xc, four, hn::Set(d, 6.0f)));
  omega = hn::MulAdd(s.e, omega, hn::MulAdd(s.xc, four, four));
  V g = hn::Mul(hn::Mul(hn::Mul(s.e, omega), s.r), s.r);
  g = hn::IfThenElse(hn::Gt(x, hn::Set(d, kClampHigh)), hn::Set(d, 1.0f), g);
  const auto tail = TailLanes(d, x);
  if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
    const V xm = hn::Max(x, hn::Set(d, -150.0f));
    const V one_plus_x = hn::Add(xm, hn::Set(d, 1.0f));
    g = hn::IfThenElse(tail, TailTimesExp(d, x, one_plus_x, xm), g);
  }
  return g;
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SRC_CORE_MISH_INL_H_
