// The operator schemas: torch.ops.mish.* in Python, mish::* in TorchScript.
#include <torch/library.h>

TORCH_LIBRARY(mish, m) {
  m.def("mish(Tensor self) -> Tensor");
  m.def("mish_(Tensor(a!) self) -> Tensor(a!)");
  m.def("mish_backward(Tensor grad_output, Tensor self) -> Tensor");
  // mish(batch_norm(input) + residual), and the two steps autograd calls:
  // the forward also returns the float32 (float64) per-channel mean and
  // inverse standard deviation it normalized with.
  m.def(
      "batch_norm_mish(Tensor input, Tensor? residual, Tensor? weight, "
      "Tensor? bias, Tensor(a!)? running_mean, Tensor(b!)? running_var, "
      "bool training, float momentum, float eps) -> Tensor");
  m.def(
      "batch_norm_mish_forward(Tensor input, Tensor? residual, Tensor? weight, "
      "Tensor? bias, Tensor(a!)? running_mean, Tensor(b!)? running_var, "
      "bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor)");
  m.def(
      "batch_norm_mish_backward(Tensor grad_output, Tensor input, "
      "Tensor? residual, Tensor? weight, Tensor? bias, Tensor mean, "
      "Tensor invstd, bool training) -> (Tensor, Tensor, Tensor, Tensor)");
}
