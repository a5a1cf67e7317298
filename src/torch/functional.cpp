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

namespace {

// The flat argument lists of the operators (src/torch/schema.cpp).
using ForwardSignature = detail::ForwardResult(
    const at::Tensor&, const OptionalTensor&, const OptionalTensor&,
    const OptionalTensor&, const OptionalTensor&, const OptionalTensor&, bool,
    double, double, bool, const OptionalTensor&, const OptionalTensor&,
    const OptionalTensor&, const OptionalTensor&, bool, double, double);
using BackwardSignature = detail::BackwardResult(
    const at::Tensor&, const at::Tensor&, const OptionalTensor&,
    const OptionalTensor&, const OptionalTensor&, const at::Tensor&,
    const at::Tensor&, bool, bool, const OptionalTensor&, const OptionalTensor&,
    const OptionalTensor&, const OptionalTensor&, bool);

}  // namespace

at::Tensor batch_norm_mish(const at::Tensor& input,
                           const OptionalTensor& residual,
                           const OptionalTensor& weight,
                           const OptionalTensor& bias,
                           const OptionalTensor& running_mean,
                           const OptionalTensor& running_var, bool training,
                           double momentum, double eps,
                           const c10::optional<ResidualNorm>& residual_norm) {
  static const auto handle = op<at::Tensor(
      const at::Tensor&, const OptionalTensor&, const OptionalTensor&,
      const OptionalTensor&, const OptionalTensor&, const OptionalTensor&, bool,
      double, double, bool, const OptionalTensor&, const OptionalTensor&,
      const OptionalTensor&, const OptionalTensor&, bool, double, double)>(
      "mish::batch_norm_mish");
  const ResidualNorm r = residual_norm.value_or(ResidualNorm{});
  return handle.call(input, residual, weight, bias, running_mean, running_var,
                     training, momentum, eps, residual_norm.has_value(),
                     r.weight, r.bias, r.running_mean, r.running_var,
                     r.training, r.momentum, r.eps);
}

namespace detail {

ForwardResult call_batch_norm_mish_forward(const at::Tensor& input,
                                           const at::Tensor& residual,
                                           const NormArgs& norm,
                                           const NormArgs* residual_norm) {
  static const auto handle =
      op<ForwardSignature>("mish::batch_norm_mish_forward");
  const NormArgs r = residual_norm != nullptr ? *residual_norm : NormArgs{};
  return handle.call(input, optional(residual), optional(norm.weight),
                     optional(norm.bias), optional(norm.running_mean),
                     optional(norm.running_var), norm.training, norm.momentum,
                     norm.eps, residual_norm != nullptr, optional(r.weight),
                     optional(r.bias), optional(r.running_mean),
                     optional(r.running_var), r.training, r.momentum, r.eps);
}

BackwardResult call_batch_norm_mish_backward(const at::Tensor& grad_output,
                                             const at::Tensor& input,
                                             const at::Tensor& residual,
                                             const NormArgs& norm,
                                             const NormArgs* residual_norm) {
  static const auto handle =
      op<BackwardSignature>("mish::batch_norm_mish_backward");
  const NormArgs r = residual_norm != nullptr ? *residual_norm : NormArgs{};
  return handle.call(grad_output, input, optional(residual),
                     optional(norm.weight), optional(norm.bias), norm.mean,
                     norm.invstd, norm.training, residual_norm != nullptr,
                     optional(r.weight), optional(r.bias), optional(r.mean),
                     optional(r.invstd), r.training);
}

}  // namespace detail
}  // namespace mish::torch
