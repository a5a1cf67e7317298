// Autograd for batch_norm_mish. The forward saves the input and residual in
// their own dtype plus the per-channel mean and inverse standard deviation;
// the backward recomputes z and mish'(z) in its kernels. When higher-order
// gradients are requested (create_graph), the backward is instead a
// composite of differentiable ops that gives the same first derivatives.
#include <ATen/ATen.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/library.h>

#include <array>

#include "batch_norm_mish.hpp"
#include "mish/torch.hpp"

namespace mish::torch::detail {
namespace {

using ::torch::autograd::AutogradContext;
using ::torch::autograd::variable_list;

at::Tensor defined_or(const at::Tensor& t, const at::Tensor& otherwise) {
  return t.defined() ? t : otherwise;
}

OptionalTensor optional(const at::Tensor& t) {
  return t.defined() ? OptionalTensor(t) : c10::nullopt;
}

// [C] as [1, C, 1, 1].
at::Tensor per_channel(const at::Tensor& t) { return t.view({1, -1, 1, 1}); }

// The gradients as differentiable functions of (grad_output, input, residual,
// weight, bias); in evaluation the statistics are constants.
variable_list composite_backward(const at::Tensor& grad_output,
                                 const at::Tensor& input,
                                 const at::Tensor& residual,
                                 const at::Tensor& weight,
                                 const at::Tensor& bias, const at::Tensor& mean,
                                 const at::Tensor& invstd, bool training,
                                 double eps) {
  const at::ScalarType type = mean.scalar_type();
  const std::array<int64_t, 3> dims{0, 2, 3};
  const at::Tensor x = input.to(type);
  at::Tensor mu = per_channel(mean);
  at::Tensor istd = per_channel(invstd);
  if (training) {
    mu = x.mean(dims, /*keepdim=*/true);
    istd = ((x - mu).pow(2).mean(dims, /*keepdim=*/true) + eps).rsqrt();
  }
  const at::Tensor xhat = (x - mu) * istd;
  const at::Tensor w =
      weight.defined() ? per_channel(weight.to(type)) : at::ones_like(istd);
  at::Tensor z = xhat * w;
  if (bias.defined()) z = z + per_channel(bias.to(type));
  if (residual.defined()) z = z + residual.to(type);
  const at::Tensor dz = mish::torch::mish_backward(grad_output.to(type), z);
  at::Tensor dx = dz;
  if (training) {
    dx = dz - dz.mean(dims, true) - xhat * (dz * xhat).mean(dims, true);
  }
  dx = (dx * w * istd).to(input.scalar_type());
  return {dx, residual.defined() ? dz.to(residual.scalar_type()) : at::Tensor(),
          weight.defined() ? (dz * xhat).sum(dims).to(weight.scalar_type())
                           : at::Tensor(),
          bias.defined() ? dz.sum(dims).to(bias.scalar_type()) : at::Tensor()};
}

class BatchNormMishFunction
    : public ::torch::autograd::Function<BatchNormMishFunction> {
 public:
  // Optional tensors are passed as such: an undefined at::Tensor cannot be
  // a Function input.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const OptionalTensor& residual,
                            const OptionalTensor& weight,
                            const OptionalTensor& bias,
                            const OptionalTensor& running_mean,
                            const OptionalTensor& running_var, bool training,
                            double momentum, double eps) {
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [output, mean, invstd] = call_batch_norm_mish_forward(
        input, residual, weight, bias, running_mean, running_var, training,
        momentum, eps);
    const at::Tensor undefined;
    ctx->save_for_backward({input, residual.value_or(undefined),
                            weight.value_or(undefined),
                            bias.value_or(undefined), mean, invstd});
    ctx->saved_data["training"] = training;
    ctx->saved_data["eps"] = eps;
    return output;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& residual = saved[1];
    const at::Tensor& weight = saved[2];
    const at::Tensor& bias = saved[3];
    const bool training = ctx->saved_data["training"].toBool();
    // An output nobody used gets an undefined gradient.
    const at::Tensor grad_output = defined_or(grads[0], at::zeros_like(input));
    variable_list result;
    if (at::GradMode::is_enabled()) {
      result = composite_backward(grad_output, input, residual, weight, bias,
                                  saved[4], saved[5], training,
                                  ctx->saved_data["eps"].toDouble());
    } else {
      auto [dx, dr, dw, db] = call_batch_norm_mish_backward(
          grad_output, input, optional(residual), optional(weight),
          optional(bias), saved[4], saved[5], training);
      result = {dx, dr, dw, db};
    }
    // running_mean, running_var, training, momentum, eps: no gradient.
    result.resize(9);
    return result;
  }
};

at::Tensor batch_norm_mish_autograd(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps) {
  return BatchNormMishFunction::apply(input, residual, weight, bias,
                                      running_mean, running_var, training,
                                      momentum, eps);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Autograd, m) {
  m.impl("batch_norm_mish", mish::torch::detail::batch_norm_mish_autograd);
}
