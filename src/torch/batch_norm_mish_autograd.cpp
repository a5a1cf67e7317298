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
#include "mish/torch/ops.hpp"

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
// the parameters.
Grads composite_backward(const BackwardArgs& a) {
  const NormArgs* residual_norm = a.residual_norm_or_null();
  const Normalized n = normalize(a.input, a.norm);
  at::Tensor z = n.z;
  Normalized rn;
  if (residual_norm != nullptr) {
    rn = normalize(a.residual, *residual_norm);
    z = z + rn.z;
  } else if (a.residual.defined()) {
    z = z + a.residual.to(z.scalar_type());
  }
  const at::Tensor dz =
      mish::torch::mish_backward(a.grad_output.to(z.scalar_type()), z);
  const variable_list dx = normalization_grad(dz, n, a.input, a.norm);
  Grads g{dx[0], at::Tensor(), dx[1], dx[2], at::Tensor(), at::Tensor()};
  if (residual_norm != nullptr) {
    const variable_list dr =
        normalization_grad(dz, rn, a.residual, *residual_norm);
    g.residual = dr[0];
    g.residual_weight = dr[1];
    g.residual_bias = dr[2];
  } else if (a.residual.defined()) {
    g.residual = dz.to(a.residual.scalar_type());
  }
  return g;
}

// What the forward keeps for the backward: the inputs, weights and the
// per-channel statistics, never an activation-sized output.
struct Saved {
  at::Tensor input;
  at::Tensor residual;
  at::Tensor weight;
  at::Tensor bias;
  at::Tensor residual_weight;
  at::Tensor residual_bias;
  at::Tensor mean;
  at::Tensor invstd;
  at::Tensor residual_mean;  // undefined for a plain residual
  at::Tensor residual_invstd;
};

// The differentiable tensors in the order BatchNormMishFunction::apply takes
// them; autograd has an edge for each one given (undefined: none).
template <class Fn>
void for_each_differentiable(Saved& s, Fn&& fn) {
  fn(s.input);
  fn(s.residual);
  fn(s.weight);
  fn(s.bias);
  fn(s.residual_weight);
  fn(s.residual_bias);
}

template <class Fn>
void for_each_field(Saved& s, Fn&& fn) {
  for_each_differentiable(s, fn);
  fn(s.mean);
  fn(s.invstd);
  fn(s.residual_mean);
  fn(s.residual_invstd);
}

// The gradients wanted, in Grads' order (= the differentiable tensors').
OutputMask output_mask(Saved& saved, AutogradContext* ctx) {
  OutputMask mask{};
  size_t i = 0;
  size_t edge = 0;
  for_each_differentiable(saved, [&](const at::Tensor& t) {
    mask[i++] = t.defined() && ctx->needs_input_grad(edge++);
  });
  return mask;
}

class BatchNormMishFunction
    : public ::torch::autograd::Function<BatchNormMishFunction> {
 public:
  // The differentiable tensors, then all the arguments. Optional tensors
  // are passed as such: an undefined at::Tensor cannot be a Function input.
  static at::Tensor forward(
      AutogradContext* ctx, const OptionalTensor& /*input*/,
      const OptionalTensor& /*residual*/, const OptionalTensor& /*weight*/,
      const OptionalTensor& /*bias*/, const OptionalTensor& /*residual_weight*/,
      const OptionalTensor& /*residual_bias*/, const ForwardArgs& a) {
    at::AutoDispatchBelowADInplaceOrView guard;
    const ForwardOutputs out = call_batch_norm_mish_forward(a);
    Saved s{a.input,
            a.residual,
            a.norm.weight,
            a.norm.bias,
            a.residual_norm.weight,
            a.residual_norm.bias,
            out.mean,
            out.invstd,
            a.normalize_residual ? out.residual_mean : at::Tensor(),
            a.normalize_residual ? out.residual_invstd : at::Tensor()};
    variable_list saved;
    for_each_field(s, [&](const at::Tensor& t) { saved.push_back(t); });
    ctx->save_for_backward(saved);
    ctx->saved_data["training"] = a.norm.training;
    ctx->saved_data["eps"] = a.norm.eps;
    ctx->saved_data["normalize_residual"] = a.normalize_residual;
    ctx->saved_data["residual_training"] = a.residual_norm.training;
    ctx->saved_data["residual_eps"] = a.residual_norm.eps;
    return out.output;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    Saved s;
    const variable_list saved = ctx->get_saved_variables();
    size_t i = 0;
    for_each_field(s, [&](at::Tensor& t) { t = saved[i++]; });
    BackwardArgs a;
    a.grad_output = defined_or_zeros(grads[0], s.input);
    a.input = s.input;
    a.residual = s.residual;
    a.norm.weight = s.weight;
    a.norm.bias = s.bias;
    a.norm.mean = s.mean;
    a.norm.invstd = s.invstd;
    a.norm.training = ctx->saved_data["training"].toBool();
    a.norm.eps = ctx->saved_data["eps"].toDouble();
    a.normalize_residual = ctx->saved_data["normalize_residual"].toBool();
    a.residual_norm.weight = s.residual_weight;
    a.residual_norm.bias = s.residual_bias;
    a.residual_norm.mean = s.residual_mean;
    a.residual_norm.invstd = s.residual_invstd;
    a.residual_norm.training = ctx->saved_data["residual_training"].toBool();
    a.residual_norm.eps = ctx->saved_data["residual_eps"].toDouble();
    a.output_mask = output_mask(s, ctx);
    const Grads g = at::GradMode::is_enabled()
                        ? composite_backward(a)
                        : call_batch_norm_mish_backward(a);
    // apply's order; nothing for the arguments' struct.
    return {g.input,           g.residual,      g.weight,    g.bias,
            g.residual_weight, g.residual_bias, at::Tensor()};
  }
};

at::Tensor batch_norm_mish_autograd(const ForwardArgs& a) {
  return BatchNormMishFunction::apply(
      optional(a.input), optional(a.residual), optional(a.norm.weight),
      optional(a.norm.bias), optional(a.residual_norm.weight),
      optional(a.residual_norm.bias), a);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Autograd, m) {
  using namespace mish::torch::detail;
  m.impl("batch_norm_mish",
         ::torch::CppFunction::makeFromBoxedFunction<
             &boxed<ForwardArgs, at::Tensor, batch_norm_mish_autograd>>());
}

// Autograd passes the internal steps through on Meta tensors as it does on
// CPU and CUDA (LibTorch 1.13 has no such fallback for AutogradMeta).
TORCH_LIBRARY_IMPL(mish, AutogradMeta, m) {
  m.impl("batch_norm_mish_forward", torch::CppFunction::makeFallthrough());
  m.impl("batch_norm_mish_backward", torch::CppFunction::makeFallthrough());
}
