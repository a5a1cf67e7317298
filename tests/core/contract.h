// The accuracy contract of every Mish kernel, CPU and CUDA, written once:
// the bounds, the error measures, the checks for float32 and each 16-bit
// format, the worst-case accumulators and the special inputs. The CPU and
// CUDA tests, the differential fuzzer and mish-accuracy all check through
// this header (docs/ACCURACY.md states the same rule in words).
//
//   float32 forward   <= 4 ulp of the float64 reference
//   float32 backward  <= 6 ulp outside [-2, 0]; <= 2^-22 absolute inside,
//                     where mish' has its root and no formula has a
//                     relative bound
//   16-bit            within one step of the reference rounded once to the
//                     format; inside [-2, 0] the backward may also be off by
//                     the float32 bound plus one step
//   special inputs    exactly the rounded reference (NaN for NaN)
#ifndef MISH_TESTS_CORE_CONTRACT_H_
#define MISH_TESTS_CORE_CONTRACT_H_

#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "src/core/half.h"
#include "src/core/reference.h"

namespace mish::contract {

inline constexpr double kForwardMaxUlp = 4.0;
inline constexpr double kBackwardMaxUlp = 6.0;      // outside [-2, 0]
inline constexpr double kBackwardMaxAbs = 0x1p-22;  // inside [-2, 0]
inline constexpr int kMaxSteps16 = 1;

inline bool InRootRegion(double x) { return x >= -2.0 && x <= 0.0; }

// |got - want| over the float32 spacing at want (the subnormal spacing below
// FLT_MIN), so a correctly rounded result is within 0.5. A NaN or an infinity
// is exact only where want is the same (any NaN for NaN), else infinitely
// wrong.
inline double UlpError(float got, double want) {
  if (std::isnan(got) || std::isnan(want)) {
    return std::isnan(got) && std::isnan(want) ? 0.0 : INFINITY;
  }
  if (std::isinf(got) || std::isinf(want)) {
    return static_cast<double>(got) == want ? 0.0 : INFINITY;
  }
  const double a = std::fabs(want);
  const int e = a < 0x1p-126 ? -126 : std::ilogb(a);
  return std::fabs(static_cast<double>(got) - want) / std::ldexp(1.0, e - 23);
}

// The float32 backward's error at x for dx = dy * mish'(x): in ulp outside
// [-2, 0], less half an ulp for the product's own rounding when dy != 1;
// inside, the absolute error of dx / dy.
inline double BackwardError(float x, float dy, float dx) {
  if (std::isnan(x) || std::isnan(dy)) return std::isnan(dx) ? 0.0 : INFINITY;
  const double g = ref::MishGrad(x);
  if (InRootRegion(x)) {
    if (dy == 0.0f) return dx == 0.0f ? 0.0 : INFINITY;
    return std::fabs(static_cast<double>(dx) / dy - g);
  }
  return UlpError(dx, g * dy) - (dy == 1.0f ? 0.0 : 0.5);
}

inline bool ForwardOk(float x, float y) {
  return UlpError(y, ref::Mish(x)) <= kForwardMaxUlp;
}

inline bool BackwardOk(float x, float dy, float dx) {
  const double err = BackwardError(x, dy, dx);
  return err <= (InRootRegion(x) ? kBackwardMaxAbs : kBackwardMaxUlp);
}

// A 16-bit storage format, described for the checks.
struct Format16 {
  const char* name;
  float (*to_float)(uint16_t);
  uint16_t (*round)(double);  // to nearest even, once
  int digits;                 // significant bits
  int min_exp;                // exponent of the smallest normal number
};
inline constexpr Format16 kBf16{"bf16", half::Bf16ToFloat, half::DoubleToBf16,
                                8, -126};
inline constexpr Format16 kF16{"f16", half::F16ToFloat, half::DoubleToF16, 11,
                               -14};

// The format's spacing at |v|.
inline double Step16(const Format16& f, double v) {
  const double a = std::fabs(v);
  const int e = a > 0 && std::isfinite(a) ? std::max(std::ilogb(a), f.min_exp)
                                          : f.min_exp;
  return std::ldexp(1.0, e - (f.digits - 1));
}

// Steps between got and want rounded once to the format; 0 for NaN and NaN.
inline int Steps16(const Format16& f, uint16_t got, double want) {
  const bool got_nan = std::isnan(f.to_float(got));
  if (got_nan || std::isnan(want)) {
    return got_nan && std::isnan(want) ? 0 : std::numeric_limits<int>::max();
  }
  return half::Steps(got, f.round(want));
}

// Worst error seen and its input.
struct Worst {
  double err = 0;
  double at = 0;
  void Add(double e, double x) {
    if (e > err || std::isnan(e)) err = e, at = x;
  }
  void Merge(const Worst& o) { Add(o.err, o.at); }
};

// float32 results of forward and backward (dy = 1) over many inputs.
struct Report32 {
  Worst forward, backward_ulp, backward_abs;
  void Add(float x, float y, float g) {
    forward.Add(UlpError(y, ref::Mish(x)), x);
    const double e = BackwardError(x, 1.0f, g);
    (InRootRegion(x) ? backward_abs : backward_ulp).Add(e, x);
  }
  void Merge(const Report32& o) {
    forward.Merge(o.forward);
    backward_ulp.Merge(o.backward_ulp);
    backward_abs.Merge(o.backward_abs);
  }
  bool Ok() const {
    return forward.err <= kForwardMaxUlp &&
           backward_ulp.err <= kBackwardMaxUlp &&
           backward_abs.err <= kBackwardMaxAbs;
  }
};

// 16-bit results of forward and backward (dy = 1) over many inputs, in steps
// of the format; `beyond` holds inputs in [-2, 0] whose backward is more
// than one step off, by their absolute error, which must stay within the
// float32 bound plus one step.
struct Report16 {
  const Format16* format;
  int forward_steps = 0;
  int backward_steps = 0;  // outside [-2, 0]
  int root_steps = 0;      // inside
  Worst beyond;            // absolute error minus one step, inside
  long failures = 0;
  float first_failure = 0;

  explicit Report16(const Format16& f) : format(&f) {}
  void Add(uint16_t x16, uint16_t y16, uint16_t g16) {
    const Format16& f = *format;
    const float x = f.to_float(x16);
    const int fwd = Steps16(f, y16, ref::Mish(x));
    const double want_g = ref::MishGrad(x);
    const int bwd = Steps16(f, g16, want_g);
    forward_steps = std::max(forward_steps, fwd);
    bool ok = fwd <= kMaxSteps16;
    if (!InRootRegion(x)) {
      backward_steps = std::max(backward_steps, bwd);
      ok = ok && bwd <= kMaxSteps16;
    } else {
      root_steps = std::max(root_steps, bwd);
      if (bwd > kMaxSteps16) {
        const double err =
            std::fabs(static_cast<double>(f.to_float(g16)) - want_g) -
            Step16(f, want_g);
        beyond.Add(err, x);
        ok = ok && err <= kBackwardMaxAbs;
      }
    }
    if (!ok && failures++ == 0) first_failure = x;
  }
  bool Ok() const { return failures == 0; }
};

// Inputs whose float32 results are fixed by definition or are exactly the
// correctly rounded reference: every implementation must return those (NaN,
// which must give NaN, is checked apart).
inline std::vector<float> SpecialInputs() {
  const float inf = std::numeric_limits<float>::infinity();
  return {0.0f,
          -0.0f,
          inf,
          -inf,
          20.0f,
          20.5f,
          1e30f,
          -1e30f,
          -150.0f,
          -1000.0f,
          0x1p-149f,
          -0x1p-149f,
          1e-40f,
          -1e-40f,
          std::numeric_limits<float>::max(),
          std::numeric_limits<float>::lowest()};
}

// Whether y = mish(x) and g = mish'(x) are exactly the rounded reference:
// bit for bit forward (the sign of zero included; any NaN for NaN), by value
// backward (mish'(-inf) is the limit 0 of (1 + x) e^x, of either sign).
inline bool SpecialOk(float x, float y, float g) {
  if (std::isnan(x)) return std::isnan(y) && std::isnan(g);
  const float want_y = static_cast<float>(ref::Mish(x));
  const float want_g = static_cast<float>(ref::MishGrad(x));
  return y == want_y && std::signbit(y) == std::signbit(want_y) && g == want_g;
}

}  // namespace mish::contract

#endif  // MISH_TESTS_CORE_CONTRACT_H_
