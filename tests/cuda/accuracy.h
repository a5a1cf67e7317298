// The accuracy contract as the CUDA tests use it: float32 ulp against a
// float64 reference, 16-bit patterns against the correctly rounded
// reference, with gtest reporting.
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
#include "tests/core/contract.h"

namespace mish::test {

// The bounds and measures are the core's contract (tests/core/contract.h);
// this header adds what the CUDA tests need around them: CUDA's own
// conversions, gtest reporting, the sweep stride.
using contract::InRootRegion;
using contract::kBackwardMaxAbs;
using contract::kBackwardMaxUlp;
using contract::kForwardMaxUlp;
using contract::SpecialInputs;
using contract::UlpError;

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

// A 16-bit format: the contract's description plus CUDA's conversion.
struct Bf16Format {
  static constexpr const char* kName = "bfloat16";
  static constexpr const contract::Format16& kContract = contract::kBf16;
  static double ToDouble(uint16_t h) { return kContract.to_float(h); }
  static uint16_t FromFloat(float f) {
    return __bfloat16_as_ushort(__float2bfloat16_rn(f));
  }
};

struct F16Format {
  static constexpr const char* kName = "float16";
  static constexpr const contract::Format16& kContract = contract::kF16;
  static double ToDouble(uint16_t h) { return kContract.to_float(h); }
  static uint16_t FromFloat(float f) {
    return __half_as_ushort(__float2half_rn(f));
  }
};

// Steps between got and ref rounded once to the format; 0 for NaN and NaN.
template <class Format>
int UlpError16(uint16_t got, double ref) {
  return contract::Steps16(Format::kContract, got, ref);
}

// Every stride-th float32 pattern is swept; MISH_CUDA_SWEEP_STRIDE=1 checks
// all 2^32.
inline uint64_t SweepStride(uint64_t fallback) {
  const char* env = std::getenv("MISH_CUDA_SWEEP_STRIDE");
  return env != nullptr ? std::max<uint64_t>(1, std::strtoull(env, nullptr, 10))
                        : fallback;
}

// Worst float32 errors of y = mish(x) and g = mish'(x) over some inputs.
struct Worst32 : contract::Report32 {
  void Merge(const Worst32& o) { contract::Report32::Merge(o); }
  void Expect(const char* what) const {
    EXPECT_LE(forward.err, kForwardMaxUlp) << what << " at x = " << forward.at;
    EXPECT_LE(backward_ulp.err, kBackwardMaxUlp)
        << what << " at x = " << backward_ulp.at;
    EXPECT_LE(backward_abs.err, kBackwardMaxAbs)
        << what << " at x = " << backward_abs.at;
    std::printf(
        "  %s: forward %.3f ulp (x = %a), backward %.3f ulp "
        "(x = %a), %.3g absolute on [-2, 0]\n",
        what, forward.err, forward.at, backward_ulp.err, backward_ulp.at,
        backward_abs.err);
  }
};

// Checks y = mish(x) and g = mish'(x) (dy = 1) for every given 16-bit
// pattern against the contract.
template <class Format>
void ExpectWithinOneUlp16(const std::vector<uint16_t>& x,
                          const std::vector<uint16_t>& y,
                          const std::vector<uint16_t>& g, const char* what) {
  contract::Report16 report(Format::kContract);
  for (size_t i = 0; i < x.size(); ++i) report.Add(x[i], y[i], g[i]);
  EXPECT_TRUE(report.Ok()) << what << " " << Format::kName << ": "
                           << report.failures << " inputs out of bounds, "
                           << "first x = " << report.first_failure;
  std::printf(
      "  %s %s: forward %d ulp, backward %d ulp, %.3g absolute "
      "beyond 1 ulp on [-2, 0]\n",
      what, Format::kName, report.forward_steps, report.backward_steps,
      std::max(0.0, report.beyond.err));
}

// All 65,536 patterns of a 16-bit format.
inline std::vector<uint16_t> AllPatterns16() {
  std::vector<uint16_t> x(65536);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint16_t>(i);
  return x;
}

}  // namespace mish::test

#endif  // MISH_TESTS_CUDA_ACCURACY_H_
