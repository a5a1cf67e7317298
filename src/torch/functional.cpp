// The C++ API calls the registered operators through the dispatcher, so it
// takes the same path (autograd, device, TorchScript) as torch.ops.mish.*.
#include <ATen/core/dispatch/Dispatcher.h>

#include "batch_norm_mish.hpp"
#include "mish/torch.hpp"

namespace mish::torch {
namespace {

template <class Signature>
c10::TypedOperatorHandle<Signature> op(const char* name) {
  return c10::Dispatcher::singleton()
      .findSchemaOrThrow(name, "")
      .template typed<Signature>();
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

using OptionalTensor = c10::optional<at::Tensor>;

at::Tensor batch_norm_mish(const at::Tensor& input,
                           const OptionalTensor& residual,
                           const OptionalTensor& weight,
                           const OptionalTensor& bias,
                           const OptionalTensor& running_mean,
                           const OptionalTensor& running_var, bool training,
                           double momentum, double eps) {
  static const auto handle = op<at::Tensor(
      const at::Tensor&, const OptionalTensor&, const OptionalTensor&,
      const OptionalTensor&, const OptionalTensor&, const OptionalTensor&, bool,
      double, double)>("mish::batch_norm_mish");
  return handle.call(input, residual, weight, bias, running_mean, running_var,
                     training, momentum, eps);
}

namespace detail {

std::tuple<at::Tensor, at::Tensor, at::Tensor> call_batch_norm_mish_forward(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps) {
  static const auto handle = op<std::tuple<at::Tensor, at::Tensor, at::Tensor>(
      const at::Tensor&, const OptionalTensor&, const OptionalTensor&,
      const OptionalTensor&, const OptionalTensor&, const OptionalTensor&, bool,
      double, double)>("mish::batch_norm_mish_forward");
  return handle.call(input, residual, weight, bias, running_mean, running_var,
                     training, momentum, eps);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
call_batch_norm_mish_backward(const at::Tensor& grad_output,
                              const at::Tensor& input,
                              const OptionalTensor& residual,
                              const OptionalTensor& weight,
                              const OptionalTensor& bias,
                              const at::Tensor& mean, const at::Tensor& invstd,
                              bool training) {
  static const auto handle =
      op<std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>(
          const at::Tensor&, const at::Tensor&, const OptionalTensor&,
          const OptionalTensor&, const OptionalTensor&, const at::Tensor&,
          const at::Tensor&, bool)>("mish::batch_norm_mish_backward");
  return handle.call(grad_output, input, residual, weight, bias, mean, invstd,
                     training);
}

}  // namespace detail
}  // namespace mish::torch
