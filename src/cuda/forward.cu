// Mish forward: y = mish(x), one memory pass.
#include "mish/mish_cuda.h"
#include "src/cuda/elementwise.cuh"

namespace mish::cuda {
namespace {

template <class Type>
struct ForwardFn {
  template <int N>
  __device__ void operator()(size_t /*i*/, const float (&in)[1][N],
                             float (&out)[N]) const {
#pragma unroll
    for (int j = 0; j < N; ++j) out[j] = MishOf<Type>(in[0][j]);
  }
};

template <class Type, class S = typename Type::Storage>
cudaError_t Forward(const S* x, S* y, size_t n, cudaStream_t stream) {
  return Map<Type, 1>({{x}, y}, n, ForwardFn<Type>{}, stream);
}

}  // namespace
}  // namespace mish::cuda

extern "C" {

cudaError_t mish_cuda_forward_f32(const float* x, float* y, size_t n,
                                  cudaStream_t stream) {
  return mish::cuda::Forward<mish::cuda::F32>(x, y, n, stream);
}

cudaError_t mish_cuda_forward_bf16(const uint16_t* x, uint16_t* y, size_t n,
                                   cudaStream_t stream) {
  return mish::cuda::Forward<mish::cuda::BF16>(x, y, n, stream);
}

cudaError_t mish_cuda_forward_f16(const uint16_t* x, uint16_t* y, size_t n,
                                  cudaStream_t stream) {
  return mish::cuda::Forward<mish::cuda::F16>(x, y, n, stream);
}

}  // extern "C"
