// Mish and its derivative on float32 lanes: the maths of every CPU kernel.
//
// With e = e^x and n = e (e + 2): tanh(softplus(x)) = n / (n + 2); one exp
// and one division per element, forward and backward. (A reciprocal
// estimate plus Newton step was slower on Zen 4 and less accurate.)
// Lanes below kTailBelow (e^x subnormal, -inf) take a rarely used path that
// scales e^x by 2^96 so that x e^x keeps its bits.

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

// For x < kTailBelow: n/(n+2) = e^x to float32 precision, so mish(x) = x e^x
// and mish'(x) = (1 + x) e^x. The products are formed with e^x scaled by
// 2^96 so that only the final scaling may round into the subnormals. x is
// clamped at -150, where both underflow to -0 (so that -inf gives -0, not
// inf * 0).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V TailTimesExp(D d, V factor_of_xm, V xm) {
  const V e_scaled = ExpShortRange<96>(d, xm);
  return hn::Mul(hn::Mul(factor_of_xm, e_scaled), hn::Set(d, 0x1p-96f));
}

// Main computes every lane but those below kTailBelow, NaN included; Fix
// recomputes those. The array loops test for them once for several vectors
// (AnyTail), so that the common case runs without branches.

// Whether a lane of m, the unsigned maximum of several vectors' bits, lies
// below kTailBelow: those lanes (-inf and negative NaN too) have the
// largest bit patterns. A false positive only costs the Fix.
template <class D>
HWY_INLINE bool AnyTail(D d, hn::Vec<hn::RebindToUnsigned<D>> m) {
  const hn::RebindToUnsigned<D> du;
  return !hn::AllFalse(du, hn::Gt(m, hn::BitCast(du, hn::Set(d, kTailBelow))));
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> MaxBits(D /*d*/, V a, V b) {
  const hn::RebindToUnsigned<D> du;
  return hn::Max(hn::BitCast(du, a), hn::BitCast(du, b));
}

// mish(x) = x n / (n + 2). Above x = 9, n + 2 rounds to n, so the ratio is
// exactly 1 and mish(x) = x, +inf included. NaN propagates through x.
// kDegree: of the exp polynomial (6 for float32 results, less for 16-bit).
template <int kDegree>
struct MishOp {
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE V Main(D d, V x) {
    const V xc = hn::Min(x, hn::Set(d, kClampHigh));
    const V e = ExpShortRange<0, kDegree>(d, xc);
    const V n = hn::MulAdd(e, e, hn::Add(e, e));
    return hn::Mul(x, hn::Div(n, hn::Add(n, hn::Set(d, 2.0f))));
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE V Fix(D d, V x, V y) {
    const V xm = hn::Max(x, hn::Set(d, -150.0f));
    return hn::IfThenElse(hn::Lt(x, hn::Set(d, kTailBelow)),
                          TailTimesExp(d, xm, xm), y);
  }
};

// mish'(x) = e omega / d^2 with d = e (e + 2) + 2 and
// omega = e^3 + 4e^2 + (4x + 6) e + 4 (x + 1) by Horner in e, whose terms
// share a sign outside [-1.2, 0]. With FMA that holds the bounds for every
// x. Without it, x > 0 takes omega = (e + 2) d + 4x (1 + e) instead
// (positive terms, and the rounding of d largely cancels against d^2);
// that form must not serve x < 0, where its terms nearly cancel (x ~ -2).
// From x = 20 on (+inf included) the result is 1. 4x is formed from x
// itself, not the clamped copy, so that NaN propagates on every target.
template <int kDegree>
struct MishGradOp {
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE V Main(D d, V x) {
    const V high = hn::Set(d, kClampHigh);
    const V e = ExpShortRange<0, kDegree>(d, hn::Min(x, high));
    const V e_plus_2 = hn::Add(e, hn::Set(d, 2.0f));
    const V den = hn::MulAdd(e, e_plus_2, hn::Set(d, 2.0f));
    const V four_x = hn::Mul(x, hn::Set(d, 4.0f));
    V omega = hn::MulAdd(e, hn::Add(e, hn::Set(d, 4.0f)),
                         hn::Add(four_x, hn::Set(d, 6.0f)));
    omega = hn::MulAdd(e, omega, hn::Add(four_x, hn::Set(d, 4.0f)));
#if !HWY_NATIVE_FMA
    const V omega_pos =
        hn::MulAdd(e_plus_2, den, hn::MulAdd(four_x, e, four_x));
    omega = hn::IfThenElse(hn::Gt(x, hn::Zero(d)), omega_pos, omega);
#endif
    const V g = hn::Div(hn::Mul(e, omega), hn::Mul(den, den));
    return hn::IfThenElse(hn::Ge(x, high), hn::Set(d, 1.0f), g);
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE V Fix(D d, V x, V g) {
    const V xm = hn::Max(x, hn::Set(d, -150.0f));
    const V one_plus_x = hn::Add(xm, hn::Set(d, 1.0f));
    return hn::IfThenElse(hn::Lt(x, hn::Set(d, kTailBelow)),
                          TailTimesExp(d, one_plus_x, xm), g);
  }
};

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SRC_CORE_MISH_INL_H_
