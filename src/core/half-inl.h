// float32 <-> bfloat16 / binary16 on lanes of raw 16-bit patterns, rounding
// to nearest even, with infinities and NaN kept. Hardware conversions are
// used where Highway maps them to instructions (F16C, Arm); elsewhere its
// emulation truncates and mishandles inf/NaN, so we round with integer ops
// (and read binary16 inputs from tables, f16_tables.h).

#if defined(MISH_SRC_CORE_HALF_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SRC_CORE_HALF_INL_H_
#undef MISH_SRC_CORE_HALF_INL_H_
#else
#define MISH_SRC_CORE_HALF_INL_H_
#endif

#include <stdint.h>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#undef MISH_HW_F16  // per target
#if (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2) || HWY_ARCH_ARM_A64
#define MISH_HW_F16 1
#else
#define MISH_HW_F16 0
#endif

// Loads lanes of 16-bit patterns widened to 32 bits.
template <class DF>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<DF>> LoadU16(DF /*df*/,
                                                     const uint16_t* p) {
  const hn::Rebind<uint16_t, DF> du16;
  return hn::PromoteTo(hn::RebindToUnsigned<DF>(), hn::LoadU(du16, p));
}

template <class DF>
HWY_INLINE void StoreU16(DF /*df*/, hn::Vec<hn::RebindToUnsigned<DF>> bits,
                         uint16_t* p) {
  const hn::Rebind<uint16_t, DF> du16;
  const hn::RebindToSigned<DF> di;
  // Values fit in 16 bits, so the saturating narrowing is exact.
  hn::StoreU(hn::DemoteTo(du16, hn::BitCast(di, bits)), du16, p);
}

// The bits of v rounded to nearest even at bit 16: the bfloat16 result sits
// in the upper half. NaN stays NaN without a special case because every NaN
// the bfloat16 kernels produce has its low 16 bits clear (bfloat16 inputs
// widened, or the default NaN), so the rounding increment cannot carry out.
template <class DF>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<DF>> RoundedBF16Bits(DF df,
                                                             hn::Vec<DF> v) {
  (void)df;
  const hn::RebindToUnsigned<DF> du;
  const auto bits = hn::BitCast(du, v);
  const auto odd = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1));
  return hn::Add(bits, hn::Add(hn::Set(du, 0x7FFF), odd));
}

#if MISH_HW_F16
// Without the hardware, the kernels read binary16 inputs from tables
// (f16_tables.h) instead of converting them.
template <class DF>
HWY_INLINE hn::Vec<DF> LoadF16(DF df, const uint16_t* p) {
  const hn::Rebind<hwy::float16_t, DF> df16;
  return hn::PromoteTo(
      df, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(p)));
}
#endif

template <class DF>
HWY_INLINE void StoreF16(DF df, hn::Vec<DF> v, uint16_t* p) {
#if MISH_HW_F16
  const hn::Rebind<hwy::float16_t, DF> df16;
  hn::StoreU(hn::DemoteTo(df16, v), df16, reinterpret_cast<hwy::float16_t*>(p));
#else
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;  // the sign is cleared: signed compares
  auto f = hn::BitCast(du, v);
  const auto sign = hn::And(f, hn::Set(du, 0x80000000u));
  f = hn::Xor(f, sign);
  // |v| >= 65536 or inf/NaN.
  const auto big = hn::IfThenElse(
      hn::RebindMask(du, hn::Gt(hn::BitCast(di, f), hn::Set(di, 0x7F800000))),
      hn::Set(du, 0x7E00), hn::Set(du, 0x7C00));
  // |v| < 2^-14: adding 0.5 aligns the binary16 subnormal bits, rounding
  // to nearest even in the float adder.
  const auto small =
      hn::Sub(hn::BitCast(du, hn::Add(hn::BitCast(df, f), hn::Set(df, 0.5f))),
              hn::Set(du, 0x3F000000u));
  // Normal: rebias the exponent and round to nearest even by hand.
  const auto odd = hn::And(hn::ShiftRight<13>(f), hn::Set(du, 1));
  const auto normal =
      hn::ShiftRight<13>(hn::Add(hn::Add(f, hn::Set(du, 0xC8000FFFu)), odd));
  auto o = hn::IfThenElse(
      hn::RebindMask(du, hn::Lt(hn::BitCast(di, f), hn::Set(di, 0x38800000))),
      small, normal);
  o = hn::IfThenElse(
      hn::RebindMask(du, hn::Lt(hn::BitCast(di, f), hn::Set(di, 0x47800000))),
      o, big);
  StoreU16(df, hn::Or(o, hn::ShiftRight<16>(sign)), p);
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SRC_CORE_HALF_INL_H_
