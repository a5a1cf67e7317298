// The C++ API calls the registered operators through the dispatcher, so it
// takes the same path (autograd, device, TorchScript) as torch.ops.mish.*.
#include <ATen/core/dispatch/Dispatcher.h>

#include "batch_norm_mish.hpp"
#include "mish/torch/ops.hpp"

namespace mish::torch {
namespace {

c10::OperatorHandle find(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

template <class Signature>
c10::TypedOperatorHandle<Signature> op(const char* name) {
  return find(name).template typed<Signature>();
}

}  // namespace

at::Tensor mish(const at::Tensor& self) {
  static const auto handle = op<at::Tensor(const at::Tensor&)>("mish::mish");
  return handle.call(self);
}

at::Tensor& mish_(at::Tensor& self) {
  static const auto handle = op<at::Tensor&(at::Tensor&)>("mish::mish_");
  return handle.call(self);
}

at::Tensor mish_backward(const at::Tensor& grad_output,
                         const at::Tensor& self) {
  static const auto handle =
      op<at::Tensor(const at::Tensor&, const at::Tensor&)>(
          "mish::mish_backward");
  return handle.call(grad_output, self);
}

at::Tensor batch_norm_mish(const at::Tensor& input,
                           const c10::optional<at::Tensor>& residual,
                           const c10::optional<at::Tensor>& weight,
                           const c10::optional<at::Tensor>& bias,
                           const c10::optional<at::Tensor>& running_mean,
                           const c10::optional<at::Tensor>& running_var,
                           bool training, double momentum, double eps,
                           const c10::optional<ResidualNorm>& residual_norm) {
  const at::Tensor undefined;
  detail::ForwardArgs a;
  a.input = input;
  a.residual = residual.value_or(undefined);
  a.norm.weight = weight.value_or(undefined);
  a.norm.bias = bias.value_or(undefined);
  a.norm.running_mean = running_mean.value_or(undefined);
  a.norm.running_var = running_var.value_or(undefined);
  a.norm.training = training;
  a.norm.momentum = momentum;
  a.norm.eps = eps;
  if (residual_norm.has_value()) {
    const ResidualNorm& r = *residual_norm;
    a.normalize_residual = true;
    a.residual_norm.weight = r.weight.value_or(undefined);
    a.residual_norm.bias = r.bias.value_or(undefined);
    a.residual_norm.running_mean = r.running_mean.value_or(undefined);
    a.residual_norm.running_var = r.running_var.value_or(undefined);
    a.residual_norm.training = r.training;
    a.residual_norm.momentum = r.momentum;
    a.residual_norm.eps = r.eps;
  }
  return detail::call_batch_norm_mish(a);
}

namespace detail {

at::Tensor call_batch_norm_mish(const ForwardArgs& a) {
  static const c10::OperatorHandle handle = find("mish::batch_norm_mish");
  return call<at::Tensor>(handle, a);
}

FunctionalOutputs call_batch_norm_mish_functional(const ForwardArgs& a) {
  static const c10::OperatorHandle handle =
      find("mish::batch_norm_mish_functional");
  return call<FunctionalOutputs>(handle, a);
}

ForwardOutputs call_batch_norm_mish_forward(const ForwardArgs& a) {
  static const c10::OperatorHandle handle =
      find("mish::batch_norm_mish_forward");
  return call<ForwardOutputs>(handle, a);
}

Grads call_batch_norm_mish_backward(const BackwardArgs& a) {
  static const c10::OperatorHandle handle =
      find("mish::batch_norm_mish_backward");
  return call<Grads>(handle, a);
}

}  // namespace detail
}  // namespace mish::torch
