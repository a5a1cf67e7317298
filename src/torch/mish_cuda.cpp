// mish on CUDA: our CUDA kernels on the current stream of the tensor's device.
// float64 goes to ATen's own kernels (nobody trains in float64 on a GPU), with
// mish(-inf) = -0 and mish'(-inf) = 0 set explicitly, as on the CPU.
#include "mish/mish_cuda.h"

#include <ATen/ATen.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "dtypes.hpp"
#include "mish.hpp"

namespace mish::torch::detail {
namespace {

size_t count(const at::Tensor& t) { return static_cast<size_t>(t.numel()); }

at::Tensor is_minus_inf(const at::Tensor& x) {
  return x.eq(-std::numeric_limits<double>::infinity());
}

// The C ABI per dtype (16-bit types as their bit patterns); float64 goes to
// ATen.
cudaError_t forward(const float* x, float* y, size_t n, cudaStream_t s) {
  return mish_cuda_forward_f32(x, y, n, s);
}

cudaError_t forward(const c10::BFloat16* x, c10::BFloat16* y, size_t n,
                    cudaStream_t s) {
  return mish_cuda_forward_bf16(reinterpret_cast<const uint16_t*>(x),
                                reinterpret_cast<uint16_t*>(y), n, s);
}

cudaError_t forward(const c10::Half* x, c10::Half* y, size_t n,
                    cudaStream_t s) {
  return mish_cuda_forward_f16(reinterpret_cast<const uint16_t*>(x),
                               reinterpret_cast<uint16_t*>(y), n, s);
}

cudaError_t backward(const float* x, const float* dy, float* dx, size_t n,
                     cudaStream_t s) {
  return mish_cuda_backward_f32(x, dy, dx, n, s);
}

cudaError_t backward(const c10::BFloat16* x, const c10::BFloat16* dy,
                     c10::BFloat16* dx, size_t n, cudaStream_t s) {
  return mish_cuda_backward_bf16(reinterpret_cast<const uint16_t*>(x),
                                 reinterpret_cast<const uint16_t*>(dy),
                                 reinterpret_cast<uint16_t*>(dx), n, s);
}

cudaError_t backward(const c10::Half* x, const c10::Half* dy, c10::Half* dx,
                     size_t n, cudaStream_t s) {
  return mish_cuda_backward_f16(reinterpret_cast<const uint16_t*>(x),
                                reinterpret_cast<const uint16_t*>(dy),
                                reinterpret_cast<uint16_t*>(dx), n, s);
}

void forward(const at::Tensor& x, const at::Tensor& y) {
  const c10::cuda::CUDAGuard device(x.device());
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    if constexpr (std::is_same_v<T, double>) {
      y.copy_(at::mish(x)).masked_fill_(is_minus_inf(x), -0.0);
    } else {
      C10_CUDA_CHECK(forward(ptr<const T>(x), ptr<T>(y), count(x),
                             c10::cuda::getCurrentCUDAStream().stream()));
    }
  });
}

void backward(const at::Tensor& x, const at::Tensor& dy, const at::Tensor& dx) {
  const c10::cuda::CUDAGuard device(x.device());
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    if constexpr (std::is_same_v<T, double>) {
      dx.copy_(at::mish_backward(dy, x)).masked_fill_(is_minus_inf(x), 0.0);
    } else {
      C10_CUDA_CHECK(backward(ptr<const T>(x), ptr<const T>(dy), ptr<T>(dx),
                              count(x),
                              c10::cuda::getCurrentCUDAStream().stream()));
    }
  });
}

constexpr DenseKernels kCuda{forward, backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CUDA, m) {
  mish::torch::detail::register_mish<mish::torch::detail::kCuda>(m);
}
