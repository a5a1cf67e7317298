#include "mish.hpp"

#include <ATen/ATen.h>

#include "dtypes.hpp"

namespace mish::torch::detail {
namespace {

void check_backward_args(const at::Tensor& grad_output,
                         const at::Tensor& self) {
  check_dtype(self, "mish_backward", "self");
  TORCH_CHECK(grad_output.scalar_type() == self.scalar_type(),
              "mish_backward: grad_output and self must have the same dtype, "
              "got ",
              grad_output.scalar_type(), " and ", self.scalar_type());
  TORCH_CHECK(grad_output.device() == self.device(),
              "mish_backward: grad_output and self must be on the same "
              "device, got ",
              grad_output.device(), " and ", self.device());
  TORCH_CHECK(grad_output.sym_sizes() == self.sym_sizes(),
              "mish_backward: grad_output and self must have the same shape, "
              "got ",
              grad_output.sym_sizes(), " and ", self.sym_sizes());
}

// Dense tensors keep their layout (channels_last included), so the output
// matches the input's as torch's own elementwise ops do.
at::Tensor dense(const at::Tensor& t) {
  return t.is_non_overlapping_and_dense() ? t : t.contiguous();
}

// t with ref's strides; ref is dense and t has its shape.
at::Tensor laid_out_like(const at::Tensor& t, const at::Tensor& ref) {
  return t.sym_strides() == ref.sym_strides() ? t
                                              : at::empty_like(ref).copy_(t);
}

}  // namespace

at::Tensor mish(const at::Tensor& self, const DenseKernels& kernels) {
  check_dtype(self, "mish", "self");
  const at::Tensor x = dense(self);
  at::Tensor y = at::empty_like(x);
  if (x.sym_numel() > 0) kernels.forward(x, y);
  return y;
}

at::Tensor& mish_(at::Tensor& self, const DenseKernels& kernels) {
  check_dtype(self, "mish_", "self");
  if (self.sym_numel() == 0) return self;
  if (self.is_non_overlapping_and_dense()) {
    kernels.forward(self, self);
    return self;
  }
  return self.copy_(mish(self, kernels));
}

at::Tensor mish_backward(const at::Tensor& grad_output, const at::Tensor& self,
                         const DenseKernels& kernels) {
  check_backward_args(grad_output, self);
  const at::Tensor x = dense(self);
  const at::Tensor dy = laid_out_like(grad_output, x);
  at::Tensor dx = at::empty_like(x);
  if (x.sym_numel() > 0) kernels.backward(x, dy, dx);
  return dx;
}

}  // namespace mish::torch::detail
