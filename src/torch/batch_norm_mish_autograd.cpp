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

// grad, or zeros like `like` when it is undefined (an output nobody used).
at::Tensor defined_or_zeros(const at::Tensor& grad, const at::Tensor& like) {
  return grad.defined() ? grad : at::zeros_like(like);
}

// [C] as [1, C, 1, 1].
at::Tensor per_channel(const at::Tensor& t) { return t.view({1, -1, 1, 1}); }

constexpr std::array<int64_t, 3> kDims{0, 2, 3};

// One input's batch norm as differentiable ops: xhat, the scale w * istd
// and the normalized value; in evaluation the statistics are constants.
struct Normalized {
  at::Tensor xhat;
  at::Tensor scale;
  at::Tensor z;
};

Normalized normalize(const at::Tensor& input, const NormArgs& norm) {
  const at::ScalarType type = norm.mean.scalar_type();
  const at::Tensor x = input.to(type);
  at::Tensor mu = per_channel(norm.mean);
  at::Tensor istd = per_channel(norm.invstd);
  if (norm.training) {
    mu = x.mean(kDims, /*keepdim=*/true);
    istd = ((x - mu).pow(2).mean(kDims, /*keepdim=*/true) + norm.eps).rsqrt();
  }
  const at::Tensor xhat = (x - mu) * istd;
  const at::Tensor w = norm.weight.defined() ? per_channel(norm.weight.to(type))
                                             : at::ones_like(istd);
  at::Tensor z = xhat * w;
  if (norm.bias.defined()) z = z + per_channel(norm.bias.to(type));
  return {xhat, w * istd, z};
}

// d input, d weight, d bias of one batch norm given dz.
variable_list normalization_grad(const at::Tensor& dz, const Normalized& n,
                                 const at::Tensor& input,
                                 const NormArgs& norm) {
  at::Tensor dx = dz;
  if (norm.training) {
    dx = dz - dz.mean(kDims, true) - n.xhat * (dz * n.xhat).mean(kDims, true);
  }
  return {(dx * n.scale).to(input.scalar_type()),
          norm.weight.defined()
              ? (dz * n.xhat).sum(kDims).to(norm.weight.scalar_type())
              : at::Tensor(),
          norm.bias.defined() ? dz.sum(kDims).to(norm.bias.scalar_type())
                              : at::Tensor()};
}

// The gradients as differentiable functions of grad_output, the inputs and
// the parameters: d input, d residual, d weight, d bias, d residual_weight,
// d residual_bias.
variable_list composite_backward(const at::Tensor& grad_output,
                                 const at::Tensor& input,
                                 const at::Tensor& residual,
                                 const NormArgs& norm,
                                 const NormArgs* residual_norm) {
  const Normalized n = normalize(input, norm);
  at::Tensor z = n.z;
  Normalized rn;
  if (residual_norm != nullptr) {
    rn = normalize(residual, *residual_norm);
    z = z + rn.z;
  } else if (residual.defined()) {
    z = z + residual.to(z.scalar_type());
  }
  const at::Tensor dz =
      mish::torch::mish_backward(grad_output.to(z.scalar_type()), z);
  const variable_list dx = normalization_grad(dz, n, input, norm);
  if (residual_norm != nullptr) {
    const variable_list dr =
        normalization_grad(dz, rn, residual, *residual_norm);
    return {dx[0], dr[0], dx[1], dx[2], dr[1], dr[2]};
  }
  return {dx[0],
          residual.defined() ? dz.to(residual.scalar_type()) : at::Tensor(),
          dx[1],
          dx[2],
          at::Tensor(),
          at::Tensor()};
}

// Saved: input, residual, then weight, bias, mean and invstd of the input's
// batch norm and of the residual's.
Norms saved_norms(const variable_list& saved, AutogradContext* ctx) {
  Norms n = backward_norms(optional(saved[2]), optional(saved[3]), saved[4],
                           saved[5], ctx->saved_data["training"].toBool(),
                           ctx->saved_data["normalize_residual"].toBool(),
                           optional(saved[6]), optional(saved[7]),
                           optional(saved[8]), optional(saved[9]),
                           ctx->saved_data["residual_training"].toBool());
  n.input.eps = ctx->saved_data["eps"].toDouble();
  n.residual.eps = ctx->saved_data["residual_eps"].toDouble();
  return n;
}

class BatchNormMishFunction
    : public ::torch::autograd::Function<BatchNormMishFunction> {
 public:
  // Optional tensors are passed as such: an undefined at::Tensor cannot be
  // a Function input.
  static at::Tensor forward(
      AutogradContext* ctx, const at::Tensor& input,
      const OptionalTensor& residual, const OptionalTensor& weight,
      const OptionalTensor& bias, const OptionalTensor& running_mean,
      const OptionalTensor& running_var, bool training, double momentum,
      double eps, bool normalize_residual,
      const OptionalTensor& residual_weight,
      const OptionalTensor& residual_bias,
      const OptionalTensor& residual_running_mean,
      const OptionalTensor& residual_running_var, bool residual_training,
      double residual_momentum, double residual_eps) {
    at::AutoDispatchBelowADInplaceOrView guard;
    const Norms n = forward_norms(
        weight, bias, running_mean, running_var, training, momentum, eps,
        normalize_residual, residual_weight, residual_bias,
        residual_running_mean, residual_running_var, residual_training,
        residual_momentum, residual_eps);
    auto [output, mean, invstd, r_mean, r_invstd] =
        call_batch_norm_mish_forward(input, residual.value_or(at::Tensor()),
                                     n.input, n.residual_norm());
    const at::Tensor undefined;
    ctx->save_for_backward(
        {input, residual.value_or(undefined), weight.value_or(undefined),
         bias.value_or(undefined), mean, invstd,
         residual_weight.value_or(undefined), residual_bias.value_or(undefined),
         // Empty for a plain residual.
         normalize_residual ? r_mean : undefined,
         normalize_residual ? r_invstd : undefined});
    ctx->saved_data["training"] = training;
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["normalize_residual"] = normalize_residual;
    ctx->saved_data["residual_training"] = residual_training;
    ctx->saved_data["residual_eps"] = residual_eps;
    return output;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& residual = saved[1];
    const Norms n = saved_norms(saved, ctx);
    const at::Tensor grad_output = defined_or_zeros(grads[0], input);
    variable_list g;
    if (at::GradMode::is_enabled()) {
      g = composite_backward(grad_output, input, residual, n.input,
                             n.residual_norm());
    } else {
      auto [dx, dr, dw, db, drw, drb] = call_batch_norm_mish_backward(
          grad_output, input, residual, n.input, n.residual_norm());
      g = {dx, dr, dw, db, drw, drb};
    }
    // The schema's order; no gradient for running statistics, flags and
    // factors.
    const at::Tensor none;
    return {g[0], g[1], g[2], g[3], none, none, none, none, none,
            none, g[4], g[5], none, none, none, none, none};
  }
};

at::Tensor batch_norm_mish_autograd(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps, bool normalize_residual,
    const OptionalTensor& residual_weight, const OptionalTensor& residual_bias,
    const OptionalTensor& residual_running_mean,
    const OptionalTensor& residual_running_var, bool residual_training,
    double residual_momentum, double residual_eps) {
  return BatchNormMishFunction::apply(
      input, residual, weight, bias, running_mean, running_var, training,
      momentum, eps, normalize_residual, residual_weight, residual_bias,
      residual_running_mean, residual_running_var, residual_training,
      residual_momentum, residual_eps);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Autograd, m) {
  m.impl("batch_norm_mish", mish::torch::detail::batch_norm_mish_autograd);
}
