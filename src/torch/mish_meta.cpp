// Meta backend: the results' shapes, dtypes and strides without their
// values, for the meta device, FakeTensorMode and torch.compile. The shared
// operator logic chooses the layouts, so they are the real kernels'; the
// kernels here have nothing to compute.
#include <torch/library.h>

#include "elementwise.hpp"

namespace mish::torch::detail {
namespace {

void no_forward(const at::Tensor& /*x*/, const at::Tensor& /*y*/) {}

void no_backward(const at::Tensor& /*x*/, const at::Tensor& /*dy*/,
                 const at::Tensor& /*dx*/) {}

constexpr DenseKernels kMeta{no_forward, no_backward};

at::Tensor mish_meta(const at::Tensor& self) { return mish(self, kMeta); }

at::Tensor& mish_meta_(at::Tensor& self) { return mish_(self, kMeta); }

at::Tensor mish_backward_meta(const at::Tensor& grad_output,
                              const at::Tensor& self) {
  return mish_backward(grad_output, self, kMeta);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Meta, m) {
  m.impl("mish", mish::torch::detail::mish_meta);
  m.impl("mish_", mish::torch::detail::mish_meta_);
  m.impl("mish_backward", mish::torch::detail::mish_backward_meta);
}
