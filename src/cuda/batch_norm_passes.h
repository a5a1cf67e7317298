// Internal: mish_cuda.h's fused batch norm + Mish passes of one storage type
// as a struct, so that C++ callers (src/torch's CUDA adapter, the CUDA
// tests) pick the set for a dtype once.
#ifndef MISH_SRC_CUDA_BATCH_NORM_PASSES_H_
#define MISH_SRC_CUDA_BATCH_NORM_PASSES_H_

#include <cstdint>

#include "mish/mish_cuda.h"

namespace mish::detail {

template <class S>
struct CudaBnPasses {
  cudaError_t (*statistics)(const S*, const float*, mish_bn_shape, double*,
                            double*, cudaStream_t);
  cudaError_t (*forward)(const S*, const S*, mish_bn_channels, S*,
                         mish_bn_shape, cudaStream_t);
  cudaError_t (*backward_sums)(const S*, const S*, const S*, mish_bn_channels,
                               mish_bn_shape, double*, double*, double*,
                               cudaStream_t);
  cudaError_t (*backward)(const S*, const S*, const S*, mish_bn_channels, S*,
                          S*, mish_bn_shape, cudaStream_t);
};

inline constexpr CudaBnPasses<float> kCudaBnF32{
    mish_cuda_bn_statistics_f32, mish_cuda_bn_forward_f32,
    mish_cuda_bn_backward_sums_f32, mish_cuda_bn_backward_f32};
inline constexpr CudaBnPasses<uint16_t> kCudaBnBf16{
    mish_cuda_bn_statistics_bf16, mish_cuda_bn_forward_bf16,
    mish_cuda_bn_backward_sums_bf16, mish_cuda_bn_backward_bf16};
inline constexpr CudaBnPasses<uint16_t> kCudaBnF16{
    mish_cuda_bn_statistics_f16, mish_cuda_bn_forward_f16,
    mish_cuda_bn_backward_sums_f16, mish_cuda_bn_backward_f16};

}  // namespace mish::detail

#endif  // MISH_SRC_CUDA_BATCH_NORM_PASSES_H_
