// e^x for float32 lanes with x in [-87, 88] (shifted down by kScale): the
// range the Mish kernels feed it. Restricting the range lets 2^k be built by
// one integer add (no overflow, no subnormal results) and keeps the kernel at
// ~12 operations. Max error 0.8 ulp on that range at degree 6.

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
// kDegree 6 is accurate to float32 (0.8 ulp); 5, 4 and 3 (relative errors
// 1.8e-7, 5.4e-6 and 1.2e-4, with a one-step reduction) serve the 16-bit
// kernels, whose results need 11 or 8 bits (the exhaustive 16-bit tests
// check each choice).
template <int kScale = 0, int kDegree = 6, class D, class V = hn::Vec<D>>
HWY_INLINE V ExpShortRange(D d, V x) {
  static_assert(kDegree >= 3 && kDegree <= 6, "fitted degrees: 3 to 6");
  const hn::RebindToSigned<D> di;
  // Adding 1.5 * 2^23 rounds x * log2(e) to an integer k held in the low
  // mantissa bits of kf; subtracting it back gives k as a float.
  const V shifter = hn::Set(d, 12582912.0f);
  const V kf = hn::MulAdd(x, hn::Set(d, 1.44269504088896341f), shifter);
  const V k = hn::Sub(kf, shifter);
  V r, p;
  if constexpr (kDegree == 6) {
    // r = x - k ln2 in two steps: ln2_hi has 9 bits, so k * ln2_hi is exact.
    r = hn::NegMulAdd(k, hn::Set(d, 0.693359375f), x);
    r = hn::NegMulAdd(k, hn::Set(d, -2.12194440e-4f), r);
    // e^r on [-ln2/2, ln2/2]: degree-6 fit of relative error with float32
    // coefficients fitted one at a time (0.05 ulp before rounding).
#if HWY_NATIVE_FMA
    p = hn::Set(d, 0x1.6a3a32p-10f);
    p = hn::MulAdd(p, r, hn::Set(d, 0x1.123854p-7f));
    p = hn::MulAdd(p, r, hn::Set(d, 0x1.5558c0p-5f));
    p = hn::MulAdd(p, r, hn::Set(d, 0x1.555494p-3f));
    p = hn::MulAdd(p, r, hn::Set(d, 0x1.fffffcp-2f));
#else
    // Without FMA a Horner step is two dependent operations: Estrin's
    // scheme for these terms shortens the chain from 8 to 5 operations.
    const V r2 = hn::Mul(r, r);
    const V hi = hn::MulAdd(
        hn::Set(d, 0x1.6a3a32p-10f), r2,
        hn::MulAdd(hn::Set(d, 0x1.123854p-7f), r, hn::Set(d, 0x1.5558c0p-5f)));
    const V lo =
        hn::MulAdd(hn::Set(d, 0x1.555494p-3f), r, hn::Set(d, 0x1.fffffcp-2f));
    // 1 + (r + r^2 p) instead of Horner's last two steps: one dependent
    // step less; the inner sum is small, so its rounding hardly counts.
    p = hn::Add(hn::MulAdd(hn::MulAdd(hi, r2, lo), r2, r), hn::Set(d, 1.0f));
#endif
  } else {
    // One step: ln2 in float32 is off by 1.9e-9, times |k| <= 126.
    r = hn::NegMulAdd(k, hn::Set(d, 0x1.62e430p-1f), x);
    // Fits of relative error on [-ln2/2, ln2/2] with 1 + r fixed.
    if constexpr (kDegree == 5) {
      p = hn::Set(d, 0x1.106284p-7f);
      p = hn::MulAdd(p, r, hn::Set(d, 0x1.5729f0p-5f));
      p = hn::MulAdd(p, r, hn::Set(d, 0x1.5557aep-3f));
      p = hn::MulAdd(p, r, hn::Set(d, 0x1.fffdfcp-2f));
    } else if constexpr (kDegree == 4) {
      p = hn::Set(d, 0x1.5225b6p-5f);
      p = hn::MulAdd(p, r, hn::Set(d, 0x1.571caap-3f));
      p = hn::MulAdd(p, r, hn::Set(d, 0x1.0006b4p-1f));
    } else {
      p = hn::MulAdd(hn::Set(d, 0x1.55412p-3f), r, hn::Set(d, 0x1.02049p-1f));
    }
  }
  if constexpr (kDegree != 6 || HWY_NATIVE_FMA) {
    p = hn::MulAdd(p, r, hn::Set(d, 1.0f));
    p = hn::MulAdd(p, r, hn::Set(d, 1.0f));
  }
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
