#include "batch_norm_mish.hpp"

#include <ATen/ATen.h>

#include "dtypes.hpp"

namespace mish::torch::detail {
namespace {

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
  check_dtype(t, "batch_norm_mish", name);
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

void check_norm(const NormArgs& norm, const char* prefix,
                const at::Tensor& input) {
  const std::string p = prefix;
  check_per_channel(norm.weight, (p + "weight").c_str(), input);
  check_per_channel(norm.bias, (p + "bias").c_str(), input);
}

void check_args(const at::Tensor& input, const at::Tensor& residual,
                const NormArgs& norm, const NormArgs& residual_norm,
                bool normalize_residual) {
  TORCH_CHECK(input.dim() == 4,
              "batch_norm_mish: expected a 4-D input (N, C, H, W), got ",
              input.dim(), "-D input of shape ", input.sizes());
  check_dtype(input, "batch_norm_mish", "input");
  if (residual.defined()) check_like_input(residual, "residual", input);
  check_norm(norm, "", input);
  const NormArgs& r = residual_norm;
  if (normalize_residual) {
    TORCH_CHECK(residual.defined(),
                "batch_norm_mish: normalize_residual needs a residual");
    check_norm(r, "residual_", input);
  } else {
    TORCH_CHECK(!r.weight.defined() && !r.bias.defined() &&
                    !r.running_mean.defined() && !r.running_var.defined() &&
                    !r.mean.defined() && !r.invstd.defined(),
                "batch_norm_mish: the residual's batch-norm tensors are given "
                "but normalize_residual is False");
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

}  // namespace

void check_forward_args(const ForwardArgs& a) {
  check_args(a.input, a.residual, a.norm, a.residual_norm,
             a.normalize_residual);
  check_running(a.norm, "", a.input);
  if (a.normalize_residual)
    check_running(a.residual_norm, "residual_", a.input);
}

void check_backward_args(const BackwardArgs& a) {
  check_args(a.input, a.residual, a.norm, a.residual_norm,
             a.normalize_residual);
  check_like_input(a.grad_output, "grad_output", a.input);
  const at::ScalarType type = stats_type(a.input);
  const auto check_statistics = [&](const NormArgs& n, const std::string& p) {
    TORCH_CHECK(n.mean.defined() && n.invstd.defined() &&
                    n.mean.scalar_type() == type &&
                    n.invstd.scalar_type() == type,
                "batch_norm_mish_backward: ", p, "mean and ", p,
                "invstd must be ", type, " tensors");
    check_per_channel(n.mean, (p + "mean").c_str(), a.input);
    check_per_channel(n.invstd, (p + "invstd").c_str(), a.input);
  };
  check_statistics(a.norm, "");
  if (a.normalize_residual) check_statistics(a.residual_norm, "residual_");
}

at::ScalarType stats_type(const at::Tensor& input) {
  return input.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

at::Tensor dense(const at::Tensor& input) {
  if (input.is_contiguous() ||
      input.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    return input;
  }
  return input.contiguous();
}

namespace {

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
}  // namespace

ForwardOutputs batch_norm_mish_forward(const ForwardArgs& a,
                                       const BnMishKernels& kernels) {
  check_forward_args(a);
  const at::Tensor x = dense(a.input);
  const BnShape shape = shape_of(x);
  const at::Tensor r =
      a.residual.defined() ? laid_out_like(a.residual, shape) : at::Tensor();
  NormArgs n = a.norm;
  std::tie(n.mean, n.invstd) = statistics_of(x, shape, n, kernels);
  NormArgs rn;
  if (a.normalize_residual) {
    rn = a.residual_norm;
    std::tie(rn.mean, rn.invstd) = statistics_of(r, shape, rn, kernels);
  } else {
    rn.mean = at::empty({0}, n.mean.options());
    rn.invstd = at::empty({0}, n.mean.options());
  }
  at::Tensor y = at::empty_like(x);
  if (x.numel() > 0) {
    kernels.forward(shape, x, r,
                    channels_of(n, a.normalize_residual ? &rn : nullptr), y);
  }
  return {y, n.mean, n.invstd, rn.mean, rn.invstd};
}

Grads batch_norm_mish_backward(const BackwardArgs& a,
                               const BnMishKernels& kernels) {
  check_backward_args(a);
  const NormArgs* residual_norm = a.residual_norm_or_null();
  const auto [need_dx, need_dr, need_w, need_b, need_rw, need_rb] =
      a.output_mask;
  const at::Tensor x = dense(a.input);
  const BnShape shape = shape_of(x);
  const at::Tensor dy = laid_out_like(a.grad_output, shape);
  const at::Tensor r =
      a.residual.defined() ? laid_out_like(a.residual, shape) : at::Tensor();
  const BnChannels ch = channels_of(a.norm, residual_norm);
  const int64_t count = values_per_channel(x, shape);

  const auto sums = x.options().dtype(at::kDouble);
  const at::Tensor sum_dz = at::zeros({shape.channels}, sums);
  const at::Tensor sum_dz_xc = at::zeros({shape.channels}, sums);
  const at::Tensor sum_dz_rc = residual_norm != nullptr
                                   ? at::zeros({shape.channels}, sums)
                                   : at::Tensor();
  // The element pass runs for dx or dr; it writes dx in any case.
  const bool elements = need_dx || (need_dr && r.defined());
  at::Tensor dx = at::empty_like(x);
  at::Tensor dr = need_dr && r.defined() ? at::empty_like(x) : at::Tensor();
  if (x.numel() > 0) {
    kernels.backward_sums(shape, dy, x, r, ch, sum_dz, sum_dz_xc, sum_dz_rc,
                          dr.defined() ? dr : dx);
  }
  const auto [grad, sum_dz_xhat] =
      input_grad(ch.scale, a.norm, sum_dz, sum_dz_xc, count);
  BnInputGrad r_grad;
  at::Tensor sum_dz_rhat;
  if (residual_norm != nullptr) {
    std::tie(r_grad, sum_dz_rhat) =
        input_grad(ch.r_scale, *residual_norm, sum_dz, sum_dz_rc, count);
  }
  if (elements && x.numel() > 0) {
    kernels.backward(shape, dy, x, r, ch, grad, r_grad, dx, dr);
  }
  const auto wanted = [](bool need, const at::Tensor& value,
                         const at::Tensor& like) {
    return need && like.defined() ? value.to(like.scalar_type()) : at::Tensor();
  };
  Grads g;
  g.input = need_dx ? dx : at::Tensor();
  g.residual = dr;
  g.weight = wanted(need_w, sum_dz_xhat, a.norm.weight);
  g.bias = wanted(need_b, sum_dz, a.norm.bias);
  if (residual_norm != nullptr) {
    g.residual_weight = wanted(need_rw, sum_dz_rhat, residual_norm->weight);
    g.residual_bias = wanted(need_rb, sum_dz, residual_norm->bias);
  }
  return g;
}

}  // namespace mish::torch::detail
