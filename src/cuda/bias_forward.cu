// Fused bias + Mish forward: y = mish(x + bias[channel]) in one memory pass,
// where channel = (i / hw) % c; the rows layout [rows, cols] is hw = 1,
// c = cols. The sum is formed in float32 and rounded once, with the Mish.
#include "mish/mish_cuda.h"
#include "src/cuda/divider.cuh"
#include "src/cuda/elementwise.cuh"

namespace mish::cuda {
namespace {

// How a vector of x finds its bias, chosen per launch from the shape.
enum class BiasLayout {
  kPlane,      // hw % width == 0: one channel per vector
  kRowVector,  // hw == 1, c % width == 0: a whole vector of bias
  kStep,       // anything else: step the channel lane by lane
};

template <class Type, BiasLayout kLayout>
struct BiasForwardFn {
  using S = typename Type::Storage;
  const S* bias;
  Divider hw;
  Divider c;

  template <int N>
  __device__ void operator()(size_t i, const float (&in)[1][N],
                             float (&out)[N]) const {
    const uint64_t plane = hw.Div(i);
    uint64_t ch = plane - c.Div(plane) * c.divisor();
    if constexpr (kLayout == BiasLayout::kPlane) {
      const float b = Type::ToFloat(__ldg(bias + ch));
#pragma unroll
      for (int j = 0; j < N; ++j) out[j] = MishOf<Type>(in[0][j] + b);
    } else if constexpr (kLayout == BiasLayout::kRowVector) {
      // ch is a multiple of the width here, so the load is aligned.
      float b[N];
      ToFloats<Type>(*reinterpret_cast<const Vec<S, N>*>(bias + ch), b);
#pragma unroll
      for (int j = 0; j < N; ++j) out[j] = MishOf<Type>(in[0][j] + b[j]);
    } else {
      uint64_t p = i - plane * hw.divisor();
#pragma unroll
      for (int j = 0; j < N; ++j) {
        out[j] = MishOf<Type>(in[0][j] + Type::ToFloat(__ldg(bias + ch)));
        if (++p == hw.divisor()) {
          p = 0;
          if (++ch == c.divisor()) ch = 0;
        }
      }
    }
  }
};

template <class Type, BiasLayout kLayout, class S>
cudaError_t Launch(const S* x, const S* bias, S* y, size_t total, size_t c,
                   size_t hw, cudaStream_t stream) {
  return Map<Type, 1>(
      {{x}, y}, total,
      BiasForwardFn<Type, kLayout>{bias, Divider(hw), Divider(c)}, stream);
}

template <class Type, class S = typename Type::Storage>
cudaError_t BiasForward(const S* x, const S* bias, S* y, size_t n, size_t c,
                        size_t hw, cudaStream_t stream) {
  constexpr size_t kW = kVecWidth<S>;
  size_t total = 0;
  if (__builtin_mul_overflow(n, c, &total) ||
      __builtin_mul_overflow(total, hw, &total)) {
    return cudaErrorInvalidValue;
  }
  if (total == 0) return cudaSuccess;
  if (bias == nullptr || reinterpret_cast<uintptr_t>(bias) % sizeof(S) != 0) {
    return cudaErrorInvalidValue;
  }
  // Whole-vector layouts need vectors to start at multiples of the width.
  const auto aligned = [](const void* p) {
    return reinterpret_cast<uintptr_t>(p) % kVectorBytes == 0;
  };
  if (hw % kW == 0 && aligned(x)) {
    return Launch<Type, BiasLayout::kPlane>(x, bias, y, total, c, hw, stream);
  }
  if (hw == 1 && c % kW == 0 && aligned(x) && aligned(bias)) {
    return Launch<Type, BiasLayout::kRowVector>(x, bias, y, total, c, hw,
                                                stream);
  }
  return Launch<Type, BiasLayout::kStep>(x, bias, y, total, c, hw, stream);
}

}  // namespace
}  // namespace mish::cuda

extern "C" {

#define MISH_BIAS_FORWARD(suffix, Type, S)                                   \
  cudaError_t mish_cuda_bias_forward_rows_##suffix(                          \
      const S* x, const S* bias, S* y, size_t rows, size_t cols,             \
      cudaStream_t stream) {                                                 \
    return mish::cuda::BiasForward<mish::cuda::Type>(x, bias, y, rows, cols, \
                                                     1, stream);             \
  }                                                                          \
  cudaError_t mish_cuda_bias_forward_nchw_##suffix(                          \
      const S* x, const S* bias, S* y, size_t n, size_t c, size_t hw,        \
      cudaStream_t stream) {                                                 \
    return mish::cuda::BiasForward<mish::cuda::Type>(x, bias, y, n, c, hw,   \
                                                     stream);                \
  }

MISH_BIAS_FORWARD(f32, F32, float)
MISH_BIAS_FORWARD(bf16, BF16, uint16_t)
MISH_BIAS_FORWARD(f16, F16, uint16_t)

#undef MISH_BIAS_FORWARD

}  // extern "C"
