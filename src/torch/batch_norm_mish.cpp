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

void check_args(const at::Tensor& input, const at::Tensor& residual,
                const at::Tensor& weight, const at::Tensor& bias) {
  TORCH_CHECK(input.dim() == 4,
              "batch_norm_mish: expected a 4-D input (N, C, H, W), got ",
              input.dim(), "-D input of shape ", input.sizes());
  TORCH_CHECK(is_floating(input.scalar_type()),
              "batch_norm_mish: input must be float32, float64, bfloat16 or "
              "float16, got ",
              input.scalar_type());
  if (residual.defined()) check_like_input(residual, "residual", input);
  check_per_channel(weight, "weight", input);
  check_per_channel(bias, "bias", input);
}

void check_running(const at::Tensor& running_mean,
                   const at::Tensor& running_var, bool training,
                   const at::Tensor& input) {
  TORCH_CHECK(running_mean.defined() == running_var.defined(),
              "batch_norm_mish: running_mean and running_var must be given "
              "together");
  TORCH_CHECK(training || running_mean.defined(),
              "batch_norm_mish: evaluation (training=False) needs "
              "running_mean and running_var");
  check_per_channel(running_mean, "running_mean", input);
  check_per_channel(running_var, "running_var", input);
}

// Statistics and per-channel parameters: float32, float64 for float64 input.
at::ScalarType stats_type(const at::Tensor& input) {
  return input.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
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

BnChannels channels_of(const at::Tensor& mean, const at::Tensor& invstd,
                       const at::Tensor& weight, const at::Tensor& bias) {
  const at::ScalarType type = mean.scalar_type();
  const at::Tensor scale = weight.defined() ? invstd * weight.to(type) : invstd;
  at::Tensor shift = -mean * scale;
  if (bias.defined()) shift = shift + bias.to(type);
  return {scale.contiguous(), shift.contiguous(), mean.contiguous()};
}

// The unbiased variance goes into running_var, as BatchNorm2d does.
void update_running(const at::Tensor& running_mean,
                    const at::Tensor& running_var, const at::Tensor& mean,
                    const at::Tensor& var, int64_t count, double momentum) {
  const double unbiased =
      static_cast<double>(count) / static_cast<double>(count - 1);
  running_mean.mul_(1 - momentum).add_(mean * momentum);
  running_var.mul_(1 - momentum).add_(var * (momentum * unbiased));
}

}  // namespace

std::tuple<at::Tensor, at::Tensor, at::Tensor> batch_norm_mish_forward(
    const at::Tensor& input, const OptionalTensor& residual_opt,
    const OptionalTensor& weight_opt, const OptionalTensor& bias_opt,
    const OptionalTensor& running_mean_opt,
    const OptionalTensor& running_var_opt, bool training, double momentum,
    double eps, const BnMishKernels& kernels) {
  const at::Tensor& residual = value_or_undefined(residual_opt);
  const at::Tensor& weight = value_or_undefined(weight_opt);
  const at::Tensor& bias = value_or_undefined(bias_opt);
  const at::Tensor& running_mean = value_or_undefined(running_mean_opt);
  const at::Tensor& running_var = value_or_undefined(running_var_opt);
  check_args(input, residual, weight, bias);
  check_running(running_mean, running_var, training, input);

  const at::Tensor x = dense(input);
  const BnShape shape = shape_of(x);
  const at::Tensor r =
      residual.defined() ? laid_out_like(residual, shape) : at::Tensor();
  const at::ScalarType type = stats_type(x);
  const int64_t count = shape.channels > 0 ? x.numel() / shape.channels : 0;
  at::Tensor mean;
  at::Tensor invstd;
  if (training) {
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
    const at::Tensor mean64 = centred_mean + k;
    if (running_mean.defined()) {
      update_running(running_mean, running_var, mean64, var, count, momentum);
    }
    mean = mean64.to(type);
    invstd = (var + eps).rsqrt().to(type);
  } else {
    // Copies: the outputs must not alias the running statistics.
    mean = running_mean.to(type, /*non_blocking=*/false, /*copy=*/true);
    invstd = (running_var.to(at::kDouble) + eps).rsqrt().to(type);
  }
  at::Tensor y = at::empty_like(x);
  if (x.numel() > 0) {
    kernels.forward(shape, x, r, channels_of(mean, invstd, weight, bias), y);
  }
  return {y, mean, invstd};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
batch_norm_mish_backward(const at::Tensor& grad_output, const at::Tensor& input,
                         const OptionalTensor& residual_opt,
                         const OptionalTensor& weight_opt,
                         const OptionalTensor& bias_opt, const at::Tensor& mean,
                         const at::Tensor& invstd, bool training,
                         const BnMishKernels& kernels) {
  const at::Tensor& residual = value_or_undefined(residual_opt);
  const at::Tensor& weight = value_or_undefined(weight_opt);
  const at::Tensor& bias = value_or_undefined(bias_opt);
  check_args(input, residual, weight, bias);
  check_like_input(grad_output, "grad_output", input);
  const at::ScalarType type = stats_type(input);
  TORCH_CHECK(mean.scalar_type() == type && invstd.scalar_type() == type,
              "batch_norm_mish_backward: mean and invstd must be ", type,
              ", got ", mean.scalar_type(), " and ", invstd.scalar_type());
  check_per_channel(mean, "mean", input);
  check_per_channel(invstd, "invstd", input);

  const at::Tensor x = dense(input);
  const BnShape shape = shape_of(x);
  const at::Tensor dy = laid_out_like(grad_output, shape);
  const at::Tensor r =
      residual.defined() ? laid_out_like(residual, shape) : at::Tensor();
  const BnChannels ch = channels_of(mean, invstd, weight, bias);
  const int64_t count = shape.channels > 0 ? x.numel() / shape.channels : 0;

  const auto sums = x.options().dtype(at::kDouble);
  at::Tensor sum_dz = at::zeros({shape.channels}, sums);
  at::Tensor sum_dz_xc = at::zeros({shape.channels}, sums);
  if (x.numel() > 0) {
    kernels.backward_sums(shape, dy, x, r, ch, sum_dz, sum_dz_xc);
  }
  const at::Tensor invstd64 = invstd.to(at::kDouble);
  const at::Tensor sum_dz_xhat = sum_dz_xc * invstd64;
  BnInputGrad grad;
  grad.g_dz = ch.scale;
  if (training) {
    // dx = scale (dz - mean(dz) - xhat mean(dz xhat)).
    const at::Tensor scale64 = ch.scale.to(at::kDouble);
    grad.g_xc = (-scale64 * invstd64 * sum_dz_xhat / count).to(type);
    grad.g_0 = (-scale64 * sum_dz / count).to(type);
  } else {
    grad.g_xc = at::zeros_like(ch.scale);
    grad.g_0 = at::zeros_like(ch.scale);
  }
  at::Tensor dx = at::empty_like(x);
  at::Tensor dr = r.defined() ? at::empty_like(x) : at::Tensor();
  if (x.numel() > 0) kernels.backward(shape, dy, x, r, ch, grad, dx, dr);
  at::Tensor dweight =
      weight.defined() ? sum_dz_xhat.to(weight.scalar_type()) : at::Tensor();
  at::Tensor dbias =
      bias.defined() ? sum_dz.to(bias.scalar_type()) : at::Tensor();
  return {dx, dr, dweight, dbias};
}

namespace {

// Shapes and dtypes only, for tracing and shape propagation.
std::tuple<at::Tensor, at::Tensor, at::Tensor> batch_norm_mish_forward_meta(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double /*momentum*/, double /*eps*/) {
  check_args(input, value_or_undefined(residual), value_or_undefined(weight),
             value_or_undefined(bias));
  check_running(value_or_undefined(running_mean),
                value_or_undefined(running_var), training, input);
  const auto stats = input.options().dtype(stats_type(input));
  const at::Tensor x = dense(input);
  return {at::empty_like(x), at::empty({input.size(1)}, stats),
          at::empty({input.size(1)}, stats)};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
batch_norm_mish_backward_meta(const at::Tensor& grad_output,
                              const at::Tensor& input,
                              const OptionalTensor& residual,
                              const OptionalTensor& weight,
                              const OptionalTensor& bias,
                              const at::Tensor& /*mean*/,
                              const at::Tensor& /*invstd*/, bool /*training*/) {
  check_args(input, value_or_undefined(residual), value_or_undefined(weight),
             value_or_undefined(bias));
  check_like_input(grad_output, "grad_output", input);
  const at::Tensor x = dense(input);
  const auto per_channel = [&](const OptionalTensor& t) {
    return t.has_value() && t->defined() ? at::empty_like(*t) : at::Tensor();
  };
  return {at::empty_like(x),
          residual.has_value() && residual->defined() ? at::empty_like(x)
                                                      : at::Tensor(),
          per_channel(weight), per_channel(bias)};
}

// Below autograd (inference mode, or a backend's own call): the forward's
// output alone.
at::Tensor batch_norm_mish_composite(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps) {
  return std::get<0>(call_batch_norm_mish_forward(input, residual, weight, bias,
                                                  running_mean, running_var,
                                                  training, momentum, eps));
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CompositeExplicitAutograd, m) {
  m.impl("batch_norm_mish", mish::torch::detail::batch_norm_mish_composite);
}

TORCH_LIBRARY_IMPL(mish, Meta, m) {
  m.impl("batch_norm_mish_forward",
         mish::torch::detail::batch_norm_mish_forward_meta);
  m.impl("batch_norm_mish_backward",
         mish::torch::detail::batch_norm_mish_backward_meta);
}

// Autograd passes the internal steps through on Meta tensors as it does on
// CPU and CUDA (LibTorch 1.13 has no such fallback for AutogradMeta).
TORCH_LIBRARY_IMPL(mish, AutogradMeta, m) {
  m.impl("batch_norm_mish_forward", torch::CppFunction::makeFallthrough());
  m.impl("batch_norm_mish_backward", torch::CppFunction::makeFallthrough());
}
