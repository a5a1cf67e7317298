// e^x for float32 lanes with x in [-87, 88] (shifted down by kScale): the
// range the Mish kernels feed it. Restricting the range lets 2^k be built by
// one integer add (no overflow, no subnormal results) and keeps the kernel at
// ~12 operations. Max error 0.8 ulp on that range (measured by
// tests/core/exp_test.cc).

// Per-target include guard (Highway's foreach_target re-includes this file).
#if defined(MISH_SRC_CORE_EXP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SRC_CORE_EXP_INL_H_
#undef MISH_SRC_CORE_EXP_INL_H_
#else
#define MISH_SRC_CORE_EXP_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Returns e^x * 2^kScale; kScale > 0 lets the tail path reach x = -150.
template <int kScale = 0, class D, class V = hn::Vec<D>>
HWY_INLINE V ExpShortRange(D d, V x) {
  const hn::RebindToSigned<D> di;
  // Adding 1.5 * 2^23 rounds x * log2(e) to an integer k held in the low
  // mantissa bits of kf; subtracting it back gives k as a float.
  const V shifter = hn::Set(d, 12582912.0f);
  const V kf = hn::MulAdd(x, hn::Set(d, 1.44269504088896341f), shifter);
  const V k = hn::Sub(kf, shifter);
  // r = x - k ln2 in two steps: ln2_hi has 9 bits, so k * ln2_hi is exact.
  V r = hn::NegMulAdd(k, hn::Set(d, 0.693359375f), x);
  r = hn::NegMulAdd(k, hn::Set(d, -2.12194440e-4f), r);
  // e^r on [-ln2/2, ln2/2]: degree-6 fit of relative error with float32
  // coefficients fitted one at a time (0.05 ulp before rounding).
  V p = hn::Set(d, 0x1.6a3a32p-10f);
  p = hn::MulAdd(p, r, hn::Set(d, 0x1.123854p-7f));
  p = hn::MulAdd(p, r, hn::Set(d, 0x1.5558c0p-5f));
  p = hn::MulAdd(p, r, hn::Set(d, 0x1.555494p-3f));
  p = hn::MulAdd(p, r, hn::Set(d, 0x1.fffffcp-2f));
  p = hn::MulAdd(p, r, hn::Set(d, 1.0f));
  p = hn::MulAdd(p, r, hn::Set(d, 1.0f));
  // Scale by 2^k: shifting kf's bits left by 23 leaves exactly k << 23.
  auto k_bits = hn::BitCast(di, kf);
  if (kScale != 0) k_bits = hn::Add(k_bits, hn::Set(di, kScale));
  const auto scale = hn::ShiftLeft<23>(k_bits);
  return hn::BitCast(d, hn::Add(hn::BitCast(di, p), scale));
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SRC_CORE_EXP_INL_H_
