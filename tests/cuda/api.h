// The C ABI of mish_cuda.h per element type, for typed tests.
#ifndef MISH_TESTS_CUDA_API_H_
#define MISH_TESTS_CUDA_API_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "mish/mish_cuda.h"
#include "tests/cuda/accuracy.h"

namespace mish::test {

struct F32Api {
  using T = float;
  static constexpr const char* kName = "float32";
  static constexpr auto kForward = mish_cuda_forward_f32;
  static constexpr auto kBackward = mish_cuda_backward_f32;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_f32;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_f32;
  static T FromFloat(float f) { return f; }
  static double ToDouble(T v) { return v; }
  static T FromBits(uint32_t u) { return mish::test::FromBits(u); }
  static bool Same(T a, T b) {
    return Bits(a) == Bits(b) || (std::isnan(a) && std::isnan(b));
  }
  // Is y within the bound for the exact result ref?
  static bool WithinBound(T y, double ref) {
    return UlpError(y, ref) <= kForwardMaxUlp;
  }
};

template <class Format>
struct Api16 {
  using T = uint16_t;
  static constexpr const char* kName = Format::kName;
  static T FromFloat(float f) { return Format::FromFloat(f); }
  static double ToDouble(T v) { return Format::ToDouble(v); }
  static T FromBits(uint32_t u) { return static_cast<T>(u); }
  static bool Same(T a, T b) {
    return a == b || (std::isnan(ToDouble(a)) && std::isnan(ToDouble(b)));
  }
  static bool WithinBound(T y, double ref) {
    return UlpError16<Format>(y, ref) <= 1;
  }
};

struct Bf16Api : Api16<Bf16Format> {
  static constexpr auto kForward = mish_cuda_forward_bf16;
  static constexpr auto kBackward = mish_cuda_backward_bf16;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_bf16;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_bf16;
};

struct F16Api : Api16<F16Format> {
  static constexpr auto kForward = mish_cuda_forward_f16;
  static constexpr auto kBackward = mish_cuda_backward_f16;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_f16;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_f16;
};

}  // namespace mish::test

#endif  // MISH_TESTS_CUDA_API_H_
