// Scalar bfloat16 / binary16 conversions for tests and tools: decoding, and
// rounding a float64 once (to nearest even) to the 16-bit type, which is the
// yardstick for the 16-bit kernels.
#ifndef MISH_SRC_CORE_HALF_H_
#define MISH_SRC_CORE_HALF_H_

#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace mish::half {

inline float BitsToFloat(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

inline uint32_t FloatToBits(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

inline float Bf16ToFloat(uint16_t h) {
  return BitsToFloat(static_cast<uint32_t>(h) << 16);
}

inline float F16ToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const int exp = (h >> 10) & 0x1F;
  const uint32_t mant = h & 0x3FFu;
  float mag;
  if (exp == 0x1F) {
    mag = mant ? NAN : INFINITY;
  } else if (exp == 0) {
    mag = std::ldexp(static_cast<float>(mant), -24);
  } else {
    mag = std::ldexp(static_cast<float>(mant | 0x400u), exp - 25);
  }
  return BitsToFloat(FloatToBits(mag) | sign);
}

// Rounds d to `digits` significant bits, with subnormal spacing 2^min_exp,
// ties to even; returns +-inf above `max_finite`.
inline double RoundTo(double d, int digits, int min_exp, double max_finite) {
  if (!std::isfinite(d) || d == 0) return d;
  const int e = std::max(std::ilogb(d) - (digits - 1), min_exp);
  const double r = std::ldexp(std::nearbyint(std::ldexp(d, -e)), e);
  return std::fabs(r) > max_finite ? std::copysign(INFINITY, d) : r;
}

inline uint16_t DoubleToBf16(double d) {
  if (std::isnan(d)) return 0x7FC0;
  const float f = static_cast<float>(RoundTo(d, 8, -133, 0x1.FEp127));
  return static_cast<uint16_t>(FloatToBits(f) >> 16);
}

inline uint16_t DoubleToF16(double d) {
  if (std::isnan(d)) return 0x7E00;
  const double r = RoundTo(d, 11, -24, 65504.0);
  const uint16_t sign = std::signbit(r) ? 0x8000 : 0;
  const double a = std::fabs(r);
  if (std::isinf(a)) return sign | 0x7C00;
  if (a < 0x1p-14) {  // subnormal or zero: a multiple of 2^-24
    return sign | static_cast<uint16_t>(std::ldexp(a, 24));
  }
  const int e = std::ilogb(a);
  const auto mant = static_cast<uint16_t>(std::ldexp(a, 10 - e) - 1024.0);
  return sign | static_cast<uint16_t>((e + 15) << 10) | mant;
}

// Distance in representable steps between two 16-bit patterns (bfloat16 or
// binary16 alike: both order by sign-magnitude).
inline int Steps(uint16_t a, uint16_t b) {
  auto key = [](uint16_t v) {
    return (v & 0x8000) ? -static_cast<int>(v & 0x7FFF) : static_cast<int>(v);
  };
  return std::abs(key(a) - key(b));
}

}  // namespace mish::half

#endif  // MISH_SRC_CORE_HALF_H_
