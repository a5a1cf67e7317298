// The operator schemas: torch.ops.mish.* in Python, mish::* in TorchScript.
#include <torch/library.h>

TORCH_LIBRARY(mish, m) {
  m.def("mish(Tensor self) -> Tensor");
  m.def("mish_(Tensor(a!) self) -> Tensor(a!)");
  m.def("mish_backward(Tensor grad_output, Tensor self) -> Tensor");
  // mish(batch_norm(input) + residual), the residual added as it is or,
  // with normalize_residual, through a batch norm of its own (a projection
  // shortcut's); and the two steps autograd calls: the forward also returns
  // the float32 (float64) per-channel mean and inverse standard deviation it
  // normalized with (the residual's empty when it is not normalized).
  m.def(
      "batch_norm_mish(Tensor input, Tensor? residual, Tensor? weight, "
      "Tensor? bias, Tensor(a!)? running_mean, Tensor(b!)? running_var, "
      "bool training, float momentum, float eps, "
      "bool normalize_residual=False, Tensor? residual_weight=None, "
      "Tensor? residual_bias=None, Tensor(c!)? residual_running_mean=None, "
      "Tensor(d!)? residual_running_var=None, bool residual_training=True, "
      "float residual_momentum=0.1, float residual_eps=1e-05) -> Tensor");
  m.def(
      "batch_norm_mish_forward(Tensor input, Tensor? residual, Tensor? weight, "
      "Tensor? bias, Tensor(a!)? running_mean, Tensor(b!)? running_var, "
      "bool training, float momentum, float eps, bool normalize_residual, "
      "Tensor? residual_weight, Tensor? residual_bias, "
      "Tensor(c!)? residual_running_mean, Tensor(d!)? residual_running_var, "
      "bool residual_training, float residual_momentum, float residual_eps) "
      "-> (Tensor, Tensor, Tensor, Tensor, Tensor)");
  m.def(
      "batch_norm_mish_backward(Tensor grad_output, Tensor input, "
      "Tensor? residual, Tensor? weight, Tensor? bias, Tensor mean, "
      "Tensor invstd, bool training, bool normalize_residual, "
      "Tensor? residual_weight, Tensor? residual_bias, Tensor? residual_mean, "
      "Tensor? residual_invstd, bool residual_training) "
      "-> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)");
}
