#include "batch_norm_mish.hpp"

#include <ATen/ATen.h>
#include <torch/library.h>

namespace mish::torch::detail {
namespace {

bool is_floating(at::ScalarType type) {
  return type == at::kFloat || type == at::kDouble || type == at::kBFloat16 ||
         type == at::kHalf;
}

const at::Tensor& value_or_undefined(const OptionalTensor& t) {
  static const at::Tensor undefined;
  return t.has_value() ? *t : undefined;
}

// weight, bias and the statistics: one value per channel, any floating type.
void check_per_channel(const at::Tensor& t, const char* name,
                       const at::Tensor& input) {
  if (!t.defined()) return;
  TORCH_CHECK(t.dim() == 1 && t.size(0) == input.size(1),
              "batch_norm_mish: ", name, " must have shape [", input.size(1),
              "] (the input's channels), got ", t.sizes());
  TORCH_CHECK(t.device() == input.device(), "batch_norm_mish: ", name,
              " must be on the input's device ", input.device(), ", got ",
              t.device());
  TORCH_CHECK(is_floating(t.scalar_type()), "batch_norm_mish: ", name,
              " must be a floating-point tensor, got ", t.scalar_type());
}

// other (residual, grad_output) must be input's twin.
void check_like_input(const at::Tensor& other, const char* name,
                      const at::Tensor& input) {
  TORCH_CHECK(other.sizes() == input.sizes(), "batch_norm_mish: ", name,
              " must have the input's shape ", input.sizes(), ", got ",
              other.sizes());
  TORCH_CHECK(other.scalar_type() == input.scalar_type(),
              "batch_norm_mish: ", name, " must have the input's dtype ",
              input.scalar_type(), ", got ", other.scalar_type());
  TORCH_CHECK(other.device() == input.device(), "batch_norm_mish: ", name,
              " must be on the input's device ", input.device(), ", got ",
              other.device());
}

// Statistics and per-channel parameters: float32, float64 for float64 input.
at::ScalarType stats_type(const at::Tensor& input) {
  return input.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

void check_norm(const NormArgs& norm, const char* prefix,
                const at::Tensor& input) {
  const std::string p = prefix;
  check_per_channel(norm.weight, (p + "weight").c_str(), input);
  check_per_channel(norm.bias, (p + "bias").c_str(), input);
}

void check_args(const at::Tensor& input, const at::Tensor& residual,
                const NormArgs& norm, const NormArgs* residual_norm) {
  TORCH_CHECK(input.dim() == 4,
              "batch_norm_mish: expected a 4-D input (N, C, H, W), got ",
              input.dim(), "-D input of shape ", input.sizes());
  TORCH_CHECK(is_floating(input.scalar_type()),
              "batch_norm_mish: input must be float32, float64, bfloat16 or "
              "float16, got ",
              input.scalar_type());
  if (residual.defined()) check_like_input(residual, "residual", input);
  check_norm(norm, "", input);
  if (residual_norm != nullptr) {
    TORCH_CHECK(residual.defined(),
                "batch_norm_mish: normalize_residual needs a residual");
    check_norm(*residual_norm, "residual_", input);
  }
}

void check_running(const NormArgs& norm, const char* prefix,
                   const at::Tensor& input) {
  const std::string p = prefix;
  TORCH_CHECK(norm.running_mean.defined() == norm.running_var.defined(),
              "batch_norm_mish: ", p, "running_mean and ", p,
              "running_var must be given together");
  TORCH_CHECK(norm.training || norm.running_mean.defined(),
              "batch_norm_mish: evaluation (", p, "training=False) needs ", p,
              "running_mean and ", p, "running_var");
  check_per_channel(norm.running_mean, (p + "running_mean").c_str(), input);
  check_per_channel(norm.running_var, (p + "running_var").c_str(), input);
}

void check_forward_args(const at::Tensor& input, const at::Tensor& residual,
                        const NormArgs& norm, const NormArgs* residual_norm) {
  check_args(input, residual, norm, residual_norm);
  check_running(norm, "", input);
  if (residual_norm != nullptr)
    check_running(*residual_norm, "residual_", input);
}

void check_backward_args(const at::Tensor& grad_output, const at::Tensor& input,
                         const at::Tensor& residual, const NormArgs& norm,
                         const NormArgs* residual_norm) {
  check_args(input, residual, norm, residual_norm);
  check_like_input(grad_output, "grad_output", input);
  const at::ScalarType type = stats_type(input);
  const auto check_statistics = [&](const NormArgs& n, const std::string& p) {
    TORCH_CHECK(n.mean.defined() && n.invstd.defined() &&
                    n.mean.scalar_type() == type &&
                    n.invstd.scalar_type() == type,
                "batch_norm_mish_backward: ", p, "mean and ", p,
                "invstd must be ", type, " tensors");
    check_per_channel(n.mean, (p + "mean").c_str(), input);
    check_per_channel(n.invstd, (p + "invstd").c_str(), input);
  };
  check_statistics(norm, "");
  if (residual_norm != nullptr) check_statistics(*residual_norm, "residual_");
}

// NCHW or channels-last as they are, anything else made NCHW.
at::Tensor dense(const at::Tensor& input) {
  if (input.is_contiguous() ||
      input.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    return input;
  }
  return input.contiguous();
}

BnShape shape_of(const at::Tensor& x) {
  const int64_t n = x.size(0);
  const int64_t c = x.size(1);
  const int64_t hw = x.size(2) * x.size(3);
  // Where both layouts hold (H = W = 1, or C = 1) the memory is the same:
  // take the one with the longer rows.
  const bool channels_last =
      !x.is_contiguous() ||
      (x.is_contiguous(at::MemoryFormat::ChannelsLast) && hw < c);
  return channels_last ? BnShape{n * hw, c, c, true}
                       : BnShape{n * c, hw, c, false};
}

// t (input's shape) with x's memory layout.
at::Tensor laid_out_like(const at::Tensor& t, const BnShape& shape) {
  return t.contiguous(shape.channels_last ? at::MemoryFormat::ChannelsLast
                                          : at::MemoryFormat::Contiguous);
}

int64_t values_per_channel(const at::Tensor& x, const BnShape& shape) {
  return shape.channels > 0 ? x.numel() / shape.channels : 0;
}

// scale = weight * invstd and shift = bias - mean * scale.
std::pair<at::Tensor, at::Tensor> affine_of(const NormArgs& norm) {
  const at::ScalarType type = norm.mean.scalar_type();
  const at::Tensor scale =
      norm.weight.defined() ? norm.invstd * norm.weight.to(type) : norm.invstd;
  at::Tensor shift = -norm.mean * scale;
  if (norm.bias.defined()) shift = shift + norm.bias.to(type);
  return {scale, shift};
}

// norm and residual_norm carry mean and invstd.
BnChannels channels_of(const NormArgs& norm, const NormArgs* residual_norm) {
  auto [scale, shift] = affine_of(norm);
  BnChannels ch;
  if (residual_norm != nullptr) {
    auto [r_scale, r_shift] = affine_of(*residual_norm);
    shift = shift + r_shift;
    ch.r_scale = r_scale.contiguous();
    ch.r_mean = residual_norm->mean.contiguous();
  }
  ch.scale = scale.contiguous();
  ch.shift = shift.contiguous();
  ch.mean = norm.mean.contiguous();
  return ch;
}

// The unbiased variance goes into running_var, as BatchNorm2d does.
void update_running(const NormArgs& norm, const at::Tensor& mean,
                    const at::Tensor& var, int64_t count) {
  const double unbiased =
      static_cast<double>(count) / static_cast<double>(count - 1);
  norm.running_mean.mul_(1 - norm.momentum).add_(mean * norm.momentum);
  norm.running_var.mul_(1 - norm.momentum)
      .add_(var * (norm.momentum * unbiased));
}

// The mean and inverse standard deviation x (laid out as `shape`) is
// normalized with: the batch's (updating the running ones) or the running.
std::pair<at::Tensor, at::Tensor> statistics_of(const at::Tensor& x,
                                                const BnShape& shape,
                                                const NormArgs& norm,
                                                const BnMishKernels& kernels) {
  const at::ScalarType type = stats_type(x);
  if (!norm.training) {
    // Copies: the outputs must not alias the running statistics.
    return {norm.running_mean.to(type, /*non_blocking=*/false, /*copy=*/true),
            (norm.running_var.to(at::kDouble) + norm.eps).rsqrt().to(type)};
  }
  const int64_t count = values_per_channel(x, shape);
  TORCH_CHECK(count > 1,
              "batch_norm_mish: expected more than 1 value per channel when "
              "training, got input of shape ",
              x.sizes());
  const at::Tensor k = x.select(0, 0).select(1, 0).select(1, 0).to(type);
  const auto sums = x.options().dtype(at::kDouble);
  const at::Tensor sum = at::empty({shape.channels}, sums);
  const at::Tensor sum_sq = at::empty({shape.channels}, sums);
  kernels.statistics(shape, x, k.contiguous(), sum, sum_sq);
  const at::Tensor centred_mean = sum / count;
  const at::Tensor var =
      (sum_sq / count - centred_mean * centred_mean).clamp_min(0);
  const at::Tensor mean = centred_mean + k;
  if (norm.running_mean.defined()) update_running(norm, mean, var, count);
  return {mean.to(type), (var + norm.eps).rsqrt().to(type)};
}

// The input's gradient through the normalization, given sum(dz) and
// sum(dz (x - mean)); also d weight's sum(dz xhat) (float64).
std::pair<BnInputGrad, at::Tensor> input_grad(const at::Tensor& scale,
                                              const NormArgs& norm,
                                              const at::Tensor& sum_dz,
                                              const at::Tensor& sum_dz_xc,
                                              int64_t count) {
  const at::ScalarType type = scale.scalar_type();
  const at::Tensor invstd64 = norm.invstd.to(at::kDouble);
  const at::Tensor sum_dz_xhat = sum_dz_xc * invstd64;
  BnInputGrad grad;
  grad.g_dz = scale;
  if (norm.training) {
    // dx = scale (dz - mean(dz) - xhat mean(dz xhat)).
    const at::Tensor scale64 = scale.to(at::kDouble);
    grad.g_xc = (-scale64 * invstd64 * sum_dz_xhat / count).to(type);
    grad.g_0 = (-scale64 * sum_dz / count).to(type);
  } else {
    grad.g_xc = at::zeros_like(scale);
    grad.g_0 = at::zeros_like(scale);
  }
  return {grad, sum_dz_xhat};
}

at::Tensor to_type_of(const at::Tensor& value, const at::Tensor& like) {
  return like.defined() ? value.to(like.scalar_type()) : at::Tensor();
}

NormArgs norm_args(const OptionalTensor& weight, const OptionalTensor& bias,
                   const OptionalTensor& running_mean,
                   const OptionalTensor& running_var, bool training,
                   double momentum, double eps) {
  NormArgs norm;
  norm.weight = value_or_undefined(weight);
  norm.bias = value_or_undefined(bias);
  norm.running_mean = value_or_undefined(running_mean);
  norm.running_var = value_or_undefined(running_var);
  norm.training = training;
  norm.momentum = momentum;
  norm.eps = eps;
  return norm;
}

// The backward's: the forward's mean and invstd in place of running ones.
NormArgs statistics_args(const OptionalTensor& weight,
                         const OptionalTensor& bias, const at::Tensor& mean,
                         const at::Tensor& invstd, bool training) {
  NormArgs norm;
  norm.weight = value_or_undefined(weight);
  norm.bias = value_or_undefined(bias);
  norm.mean = mean;
  norm.invstd = invstd;
  norm.training = training;
  return norm;
}

void check_residual_norm_given(const Norms& n) {
  const NormArgs& r = n.residual;
  TORCH_CHECK(n.normalize_residual ||
                  (!r.weight.defined() && !r.bias.defined() &&
                   !r.running_mean.defined() && !r.running_var.defined() &&
                   !r.mean.defined() && !r.invstd.defined()),
              "batch_norm_mish: the residual's batch-norm tensors are given "
              "but normalize_residual is False");
}

}  // namespace

Norms forward_norms(const OptionalTensor& weight, const OptionalTensor& bias,
                    const OptionalTensor& running_mean,
                    const OptionalTensor& running_var, bool training,
                    double momentum, double eps, bool normalize_residual,
                    const OptionalTensor& residual_weight,
                    const OptionalTensor& residual_bias,
                    const OptionalTensor& residual_running_mean,
                    const OptionalTensor& residual_running_var,
                    bool residual_training, double residual_momentum,
                    double residual_eps) {
  Norms n;
  n.input = norm_args(weight, bias, running_mean, running_var, training,
                      momentum, eps);
  n.residual = norm_args(residual_weight, residual_bias, residual_running_mean,
                         residual_running_var, residual_training,
                         residual_momentum, residual_eps);
  n.normalize_residual = normalize_residual;
  check_residual_norm_given(n);
  return n;
}

Norms backward_norms(const OptionalTensor& weight, const OptionalTensor& bias,
                     const at::Tensor& mean, const at::Tensor& invstd,
                     bool training, bool normalize_residual,
                     const OptionalTensor& residual_weight,
                     const OptionalTensor& residual_bias,
                     const OptionalTensor& residual_mean,
                     const OptionalTensor& residual_invstd,
                     bool residual_training) {
  Norms n;
  n.input = statistics_args(weight, bias, mean, invstd, training);
  n.residual = statistics_args(
      residual_weight, residual_bias, value_or_undefined(residual_mean),
      value_or_undefined(residual_invstd), residual_training);
  n.normalize_residual = normalize_residual;
  check_residual_norm_given(n);
  return n;
}

ForwardResult batch_norm_mish_forward(const at::Tensor& input,
                                      const at::Tensor& residual,
                                      const NormArgs& norm,
                                      const NormArgs* residual_norm,
                                      const BnMishKernels& kernels) {
  check_forward_args(input, residual, norm, residual_norm);
  const at::Tensor x = dense(input);
  const BnShape shape = shape_of(x);
  const at::Tensor r =
      residual.defined() ? laid_out_like(residual, shape) : at::Tensor();
  NormArgs n = norm;
  std::tie(n.mean, n.invstd) = statistics_of(x, shape, norm, kernels);
  NormArgs rn;
  if (residual_norm != nullptr) {
    rn = *residual_norm;
    std::tie(rn.mean, rn.invstd) = statistics_of(r, shape, rn, kernels);
  } else {
    rn.mean = at::empty({0}, n.mean.options());
    rn.invstd = at::empty({0}, n.mean.options());
  }
  at::Tensor y = at::empty_like(x);
  if (x.numel() > 0) {
    kernels.forward(shape, x, r,
                    channels_of(n, residual_norm != nullptr ? &rn : nullptr),
                    y);
  }
  return {y, n.mean, n.invstd, rn.mean, rn.invstd};
}

BackwardResult batch_norm_mish_backward(const at::Tensor& grad_output,
                                        const at::Tensor& input,
                                        const at::Tensor& residual,
                                        const NormArgs& norm,
                                        const NormArgs* residual_norm,
                                        const BnMishKernels& kernels) {
  check_backward_args(grad_output, input, residual, norm, residual_norm);
  const at::Tensor x = dense(input);
  const BnShape shape = shape_of(x);
  const at::Tensor dy = laid_out_like(grad_output, shape);
  const at::Tensor r =
      residual.defined() ? laid_out_like(residual, shape) : at::Tensor();
  const BnChannels ch = channels_of(norm, residual_norm);
  const int64_t count = values_per_channel(x, shape);

  const auto sums = x.options().dtype(at::kDouble);
  const at::Tensor sum_dz = at::zeros({shape.channels}, sums);
  const at::Tensor sum_dz_xc = at::zeros({shape.channels}, sums);
  const at::Tensor sum_dz_rc = residual_norm != nullptr
                                   ? at::zeros({shape.channels}, sums)
                                   : at::Tensor();
  at::Tensor dx = at::empty_like(x);
  at::Tensor dr = r.defined() ? at::empty_like(x) : at::Tensor();
  if (x.numel() > 0) {
    kernels.backward_sums(shape, dy, x, r, ch, sum_dz, sum_dz_xc, sum_dz_rc,
                          dr.defined() ? dr : dx);
  }
  const auto [grad, sum_dz_xhat] =
      input_grad(ch.scale, norm, sum_dz, sum_dz_xc, count);
  BnInputGrad r_grad;
  at::Tensor sum_dz_rhat;
  if (residual_norm != nullptr) {
    std::tie(r_grad, sum_dz_rhat) =
        input_grad(ch.r_scale, *residual_norm, sum_dz, sum_dz_rc, count);
  }
  if (x.numel() > 0) {
    kernels.backward(shape, dy, x, r, ch, grad, r_grad, dx, dr);
  }
  if (residual_norm == nullptr) {
    return {dx,
            dr,
            to_type_of(sum_dz_xhat, norm.weight),
            to_type_of(sum_dz, norm.bias),
            at::Tensor(),
            at::Tensor()};
  }
  return {dx,
          dr,
          to_type_of(sum_dz_xhat, norm.weight),
          to_type_of(sum_dz, norm.bias),
          to_type_of(sum_dz_rhat, residual_norm->weight),
          to_type_of(sum_dz, residual_norm->bias)};
}

namespace {

// Shapes and dtypes only, for tracing and shape propagation.
ForwardResult forward_meta(const at::Tensor& input, const at::Tensor& residual,
                           const Norms& n) {
  check_forward_args(input, residual, n.input, n.residual_norm());
  const auto stats = input.options().dtype(stats_type(input));
  const int64_t r_channels = n.normalize_residual ? input.size(1) : 0;
  return {at::empty_like(dense(input)), at::empty({input.size(1)}, stats),
          at::empty({input.size(1)}, stats), at::empty({r_channels}, stats),
          at::empty({r_channels}, stats)};
}

BackwardResult backward_meta(const at::Tensor& grad_output,
                             const at::Tensor& input,
                             const at::Tensor& residual, const Norms& n) {
  check_backward_args(grad_output, input, residual, n.input, n.residual_norm());
  const at::Tensor x = dense(input);
  const auto like = [](const at::Tensor& t) {
    return t.defined() ? at::empty_like(t) : at::Tensor();
  };
  return {at::empty_like(x),
          residual.defined() ? at::empty_like(x) : at::Tensor(),
          like(n.input.weight),
          like(n.input.bias),
          like(n.residual.weight),
          like(n.residual.bias)};
}

// Below autograd (inference mode, or a backend's own call): the forward's
// output alone.
at::Tensor composite(const at::Tensor& input, const at::Tensor& residual,
                     const Norms& n) {
  return std::get<0>(call_batch_norm_mish_forward(input, residual, n.input,
                                                  n.residual_norm()));
}

constexpr auto kForwardMeta = flat_forward<ForwardResult, forward_meta>;
constexpr auto kBackwardMeta = flat_backward<BackwardResult, backward_meta>;
constexpr auto kComposite = flat_forward<at::Tensor, composite>;

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CompositeExplicitAutograd, m) {
  m.impl("batch_norm_mish", mish::torch::detail::kComposite);
}

TORCH_LIBRARY_IMPL(mish, Meta, m) {
  m.impl("batch_norm_mish_forward", mish::torch::detail::kForwardMeta);
  m.impl("batch_norm_mish_backward", mish::torch::detail::kBackwardMeta);
}

// Autograd passes the internal steps through on Meta tensors as it does on
// CPU and CUDA (LibTorch 1.13 has no such fallback for AutogradMeta).
TORCH_LIBRARY_IMPL(mish, AutogradMeta, m) {
  m.impl("batch_norm_mish_forward", torch::CppFunction::makeFallthrough());
  m.impl("batch_norm_mish_backward", torch::CppFunction::makeFallthrough());
}
