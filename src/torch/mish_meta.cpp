// mish on the meta device: the results' shapes, dtypes and strides without
// their values, for FakeTensorMode and torch.compile. The shared operator
// logic chooses the layouts, so they are the real kernels'; the kernels here
// have nothing to compute.
#include "mish.hpp"

namespace mish::torch::detail {
namespace {

void no_forward(const at::Tensor& /*x*/, const at::Tensor& /*y*/) {}

void no_backward(const at::Tensor& /*x*/, const at::Tensor& /*dy*/,
                 const at::Tensor& /*dx*/) {}

constexpr DenseKernels kMeta{no_forward, no_backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Meta, m) {
  mish::torch::detail::register_mish<mish::torch::detail::kMeta>(m);
}
