// CUDA backend: our CUDA kernels on the current stream of the tensor's device.
// float64 goes to ATen's own kernels (nobody trains in float64 on a GPU), with
// mish(-inf) = -0 and mish'(-inf) = 0 set explicitly, as on the CPU.
#include <ATen/ATen.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/library.h>

#include <cstdint>
#include <limits>

#include "elementwise.hpp"
#include "mish/mish_cuda.h"

namespace mish::torch::detail {
namespace {

size_t count(const at::Tensor& t) { return static_cast<size_t>(t.numel()); }

at::Tensor is_minus_inf(const at::Tensor& x) {
  return x.eq(-std::numeric_limits<double>::infinity());
}

void forward(const at::Tensor& x, const at::Tensor& y) {
  const c10::cuda::CUDAGuard device(x.device());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream().stream();
  switch (x.scalar_type()) {
    case at::kFloat:
      C10_CUDA_CHECK(mish_cuda_forward_f32(ptr<const float>(x), ptr<float>(y),
                                           count(x), stream));
      return;
    case at::kBFloat16:
      C10_CUDA_CHECK(mish_cuda_forward_bf16(
          ptr<const uint16_t>(x), ptr<uint16_t>(y), count(x), stream));
      return;
    case at::kHalf:
      C10_CUDA_CHECK(mish_cuda_forward_f16(ptr<const uint16_t>(x),
                                           ptr<uint16_t>(y), count(x), stream));
      return;
    case at::kDouble: {
      const at::Tensor minus_inf = is_minus_inf(x);
      y.copy_(at::mish(x)).masked_fill_(minus_inf, -0.0);
      return;
    }
    default:
      TORCH_INTERNAL_ASSERT(false, "mish: unchecked dtype ", x.scalar_type());
  }
}

void backward(const at::Tensor& x, const at::Tensor& dy, const at::Tensor& dx) {
  const c10::cuda::CUDAGuard device(x.device());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream().stream();
  switch (x.scalar_type()) {
    case at::kFloat:
      C10_CUDA_CHECK(mish_cuda_backward_f32(ptr<const float>(x),
                                            ptr<const float>(dy),
                                            ptr<float>(dx), count(x), stream));
      return;
    case at::kBFloat16:
      C10_CUDA_CHECK(mish_cuda_backward_bf16(
          ptr<const uint16_t>(x), ptr<const uint16_t>(dy), ptr<uint16_t>(dx),
          count(x), stream));
      return;
    case at::kHalf:
      C10_CUDA_CHECK(mish_cuda_backward_f16(
          ptr<const uint16_t>(x), ptr<const uint16_t>(dy), ptr<uint16_t>(dx),
          count(x), stream));
      return;
    case at::kDouble:
      dx.copy_(at::mish_backward(dy, x)).masked_fill_(is_minus_inf(x), 0.0);
      return;
    default:
      TORCH_INTERNAL_ASSERT(false, "mish: unchecked dtype ", x.scalar_type());
  }
}

constexpr DenseKernels kCuda{forward, backward};

at::Tensor mish_cuda(const at::Tensor& self) { return mish(self, kCuda); }

at::Tensor& mish_cuda_(at::Tensor& self) { return mish_(self, kCuda); }

at::Tensor mish_backward_cuda(const at::Tensor& grad_output,
                              const at::Tensor& self) {
  return mish_backward(grad_output, self, kCuda);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CUDA, m) {
  m.impl("mish", mish::torch::detail::mish_cuda);
  m.impl("mish_", mish::torch::detail::mish_cuda_);
  m.impl("mish_backward", mish::torch::detail::mish_backward_cuda);
}
