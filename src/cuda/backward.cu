// Mish backward: dx = dy * mish'(x), one memory pass.
#include "mish/mish_cuda.h"
#include "src/cuda/elementwise.cuh"

namespace mish::cuda {
namespace {

template <class Type>
struct BackwardFn {
  template <int N>
  __device__ void operator()(size_t /*i*/, const float (&in)[2][N],
                             float (&out)[N]) const {
#pragma unroll
    for (int j = 0; j < N; ++j) {
      out[j] = in[1][j] * MishGradOf<Type>(in[0][j]);
    }
  }
};

template <class Type, class S = typename Type::Storage>
cudaError_t Backward(const S* x, const S* dy, S* dx, size_t n,
                     cudaStream_t stream) {
  return Map<Type, 2>({{x, dy}, dx}, n, BackwardFn<Type>{}, stream);
}

}  // namespace
}  // namespace mish::cuda

extern "C" {

cudaError_t mish_cuda_backward_f32(const float* x, const float* dy, float* dx,
                                   size_t n, cudaStream_t stream) {
  return mish::cuda::Backward<mish::cuda::F32>(x, dy, dx, n, stream);
}

cudaError_t mish_cuda_backward_bf16(const uint16_t* x, const uint16_t* dy,
                                    uint16_t* dx, size_t n,
                                    cudaStream_t stream) {
  return mish::cuda::Backward<mish::cuda::BF16>(x, dy, dx, n, stream);
}

cudaError_t mish_cuda_backward_f16(const uint16_t* x, const uint16_t* dy,
                                   uint16_t* dx, size_t n,
                                   cudaStream_t stream) {
  return mish::cuda::Backward<mish::cuda::F16>(x, dy, dx, n, stream);
}

}  // extern "C"
