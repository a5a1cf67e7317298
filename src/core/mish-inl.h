// Mish and its derivative on float32 lanes: the maths of every CPU kernel.
//
// With e = e^x and n = e (e + 2): tanh(softplus(x)) = n / (n + 2); one exp
// and one division per element, forward and backward. (A reciprocal
// estimate plus Newton step was slower on Zen 4 and less accurate.)
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

// The exp argument is clamped here: n stays finite and, above it, mish(x) = x
// and mish'(x) = 1 in float32.
inline constexpr float kClampHigh = 20.0f;
// Below this, e^x would be subnormal: see TailTimesExp.
inline constexpr float kTailBelow = -87.0f;

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

// mish(x) = x n / (n + 2). Above x = 9, n + 2 rounds to n, so the ratio is
// exactly 1 and mish(x) = x, +inf included.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Mish(D d, V x) {
  const V xc = hn::Min(x, hn::Set(d, kClampHigh));
  const V e = ExpShortRange(d, xc);
  const V n = hn::MulAdd(e, e, hn::Add(e, e));
  V y = hn::Mul(x, hn::Div(n, hn::Add(n, hn::Set(d, 2.0f))));
  // NaN needs no tail here: both branches above propagate it through x.
  const auto tail = hn::Lt(x, hn::Set(d, kTailBelow));
  if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
    const V xm = hn::Max(x, hn::Set(d, -150.0f));
    y = hn::IfThenElse(tail, TailTimesExp(d, x, xm, xm), y);
  }
  return y;
}

// mish'(x) = N / d^2 with d = n + 2 and N = n d + 4 x e (1 + e), in two
// forms that avoid cancellation: for x > 0 as written (its terms are
// positive, and the error of d cancels in n d / d^2); for x <= 0 as
// e omega, omega = 4 (1 + x) + e (6 + 4x) + 4 e^2 + e^3, whose terms share
// a sign outside [-1.2, 0] where n d and 4 x e (1 + e) nearly cancel (x ~ -2).
// From x = 20 on (+inf included), n + 2 rounds to n and the quotient is 1.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V MishGrad(D d, V x) {
  const V xc = hn::Min(x, hn::Set(d, kClampHigh));
  const V e = ExpShortRange(d, xc);
  const V n = hn::MulAdd(e, e, hn::Add(e, e));
  const V den = hn::Add(n, hn::Set(d, 2.0f));
  const V four = hn::Set(d, 4.0f);
  const V four_one_plus_e = hn::MulAdd(e, four, four);
  const V num_pos =
      hn::MulAdd(n, den, hn::Mul(hn::Mul(xc, e), four_one_plus_e));
  V omega =
      hn::MulAdd(e, hn::Add(e, four), hn::MulAdd(xc, four, hn::Set(d, 6.0f)));
  omega = hn::MulAdd(e, omega, hn::MulAdd(xc, four, four));
  const V num =
      hn::IfThenElse(hn::Gt(x, hn::Zero(d)), num_pos, hn::Mul(e, omega));
  V g = hn::Div(num, hn::Mul(den, den));
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
