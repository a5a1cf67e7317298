// Error measures shared by the CUDA tests: float32 ulp against a float64
// reference, and 16-bit patterns against the correctly rounded reference.
#ifndef MISH_TESTS_CUDA_ACCURACY_H_
#define MISH_TESTS_CUDA_ACCURACY_H_

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "mish/mish.h"
#include "src/core/half.h"
#include "src/core/ulp.h"

namespace mish::test {

// float32 is held to the CPU kernels' bounds (src/core/ulp.h). 16-bit backward
// on [-2, 0], where it is not within 1 ulp: mish' has a root there, so near it
// the float32 computation's absolute error shows.
inline constexpr double kBackwardAbsInside16 = 0x1p-20;

inline uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

// A 16-bit format described by its conversions (bit patterns in uint16_t).
struct Bf16Format {
  static constexpr const char* kName = "bfloat16";
  static double ToDouble(uint16_t h) {
    return static_cast<double>(FromBits(static_cast<uint32_t>(h) << 16));
  }
  static uint16_t FromFloat(float f) {
    return __bfloat16_as_ushort(__float2bfloat16_rn(f));
  }
  static uint16_t Round(double d) { return half::DoubleToBf16(d); }
};

struct F16Format {
  static constexpr const char* kName = "float16";
  static double ToDouble(uint16_t h) {
    return static_cast<double>(__half2float(__ushort_as_half(h)));
  }
  static uint16_t FromFloat(float f) {
    return __half_as_ushort(__float2half_rn(f));
  }
  static uint16_t Round(double d) { return half::DoubleToF16(d); }
};

// Patterns between got and ref rounded once to the format; 0 for NaN and
// NaN.
template <class Format>
int UlpError16(uint16_t got, double ref) {
  const bool got_nan = std::isnan(Format::ToDouble(got));
  if (std::isnan(ref) || got_nan) {
    return std::isnan(ref) && got_nan ? 0 : std::numeric_limits<int>::max();
  }
  return half::Steps(got, Format::Round(ref));
}

// Every stride-th float32 pattern is swept; MISH_CUDA_SWEEP_STRIDE=1 checks
// all 2^32.
inline uint64_t SweepStride(uint64_t fallback) {
  const char* env = std::getenv("MISH_CUDA_SWEEP_STRIDE");
  return env != nullptr ? std::max<uint64_t>(1, std::strtoull(env, nullptr, 10))
                        : fallback;
}

// Inputs whose float32 results are fixed by definition or are exactly the
// correctly rounded reference, so every implementation must agree bitwise.
inline std::vector<float> SpecialInputs() {
  const float inf = std::numeric_limits<float>::infinity();
  return {0.0f,
          -0.0f,
          inf,
          -inf,
          20.5f,
          1e30f,
          -150.0f,
          -1000.0f,
          0x1p-149f,
          -0x1p-149f,
          std::numeric_limits<float>::max(),
          std::numeric_limits<float>::lowest()};
}

// Worst float32 errors of y = mish(x) and g = mish'(x) over some inputs.
struct Worst32 {
  double forward_ulp = 0.0;
  double backward_ulp = 0.0;         // outside [-2, 0]
  double backward_abs_inside = 0.0;  // on [-2, 0]
  float forward_at = 0.0f;
  float backward_at = 0.0f;

  void Add(float x, float y, float g) {
    const double fwd = UlpError(y, mish_f64(x));
    if (fwd > forward_ulp) {
      forward_ulp = fwd;
      forward_at = x;
    }
    const double ref = mish_grad_f64(x);
    if (InRootRegion(x)) {
      backward_abs_inside = std::max(backward_abs_inside, std::fabs(g - ref));
    } else if (UlpError(g, ref) > backward_ulp) {
      backward_ulp = UlpError(g, ref);
      backward_at = x;
    }
  }

  void Merge(const Worst32& o) {
    if (o.forward_ulp > forward_ulp) {
      forward_ulp = o.forward_ulp;
      forward_at = o.forward_at;
    }
    if (o.backward_ulp > backward_ulp) {
      backward_ulp = o.backward_ulp;
      backward_at = o.backward_at;
    }
    backward_abs_inside = std::max(backward_abs_inside, o.backward_abs_inside);
  }

  void Expect(const char* what) const {
    EXPECT_LE(forward_ulp, kForwardMaxUlp) << what << " at x = " << forward_at;
    EXPECT_LE(backward_ulp, kBackwardMaxUlp)
        << what << " at x = " << backward_at;
    EXPECT_LE(backward_abs_inside, kBackwardMaxAbs) << what;
    std::printf(
        "  %s: forward %.3f ulp (x = %a), backward %.3f ulp "
        "(x = %a), %.3g absolute on [-2, 0]\n",
        what, forward_ulp, static_cast<double>(forward_at), backward_ulp,
        static_cast<double>(backward_at), backward_abs_inside);
  }
};

// Checks y = mish(x) and g = mish'(x) (dy = 1) for 16-bit patterns: within
// 1 ulp of the correctly rounded result; backward on [-2, 0] within 1 ulp or
// kBackwardAbsInside16.
template <class Format>
void ExpectWithinOneUlp16(const std::vector<uint16_t>& x,
                          const std::vector<uint16_t>& y,
                          const std::vector<uint16_t>& g, const char* what) {
  int worst_forward = 0;
  int worst_backward = 0;
  double worst_inside = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double xd = Format::ToDouble(x[i]);
    const int fwd = UlpError16<Format>(y[i], mish_f64(xd));
    EXPECT_LE(fwd, 1) << what << " " << Format::kName
                      << " forward at x = " << xd;
    worst_forward = std::max(worst_forward, fwd);
    const double ref = mish_grad_f64(xd);
    const int bwd = UlpError16<Format>(g[i], ref);
    if (InRootRegion(xd)) {
      if (bwd > 1) {
        worst_inside =
            std::max(worst_inside, std::fabs(Format::ToDouble(g[i]) - ref));
      }
    } else {
      EXPECT_LE(bwd, 1) << what << " " << Format::kName
                        << " backward at x = " << xd;
      worst_backward = std::max(worst_backward, bwd);
    }
  }
  EXPECT_LE(worst_inside, kBackwardAbsInside16) << what << " " << Format::kName;
  std::printf(
      "  %s %s: forward %d ulp, backward %d ulp, %.3g absolute "
      "beyond 1 ulp on [-2, 0]\n",
      what, Format::kName, worst_forward, worst_backward, worst_inside);
}

// All 65,536 patterns of a 16-bit format.
inline std::vector<uint16_t> AllPatterns16() {
  std::vector<uint16_t> x(65536);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint16_t>(i);
  return x;
}

}  // namespace mish::test

#endif  // MISH_TESTS_CUDA_ACCURACY_H_
