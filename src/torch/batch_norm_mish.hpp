// Fused batch norm + Mish: the logic every backend shares (argument checks,
// memory formats, the per-channel arithmetic, running statistics). A backend
// supplies four passes over the activations; everything per-channel is done
// here with ATen ops on [C] tensors.
//
// The residual r is added as it is, or normalized by a batch norm of its own
// (a projection shortcut's). With the per-channel scale = weight * invstd,
// z = x * scale + r * r_scale + shift (r_scale = 1 for a plain residual),
// y = mish(z), dz = dy * mish'(z):
//   forward:  sums (training only), then y         3 passes (4 with r)
//   backward: sum(dz), sum(dz (x - mean)) [, sum(dz (r - r_mean))], then dx
//             [and dr]                               5 passes (7 with r, dr)
#ifndef MISH_SRC_TORCH_BATCH_NORM_MISH_HPP_
#define MISH_SRC_TORCH_BATCH_NORM_MISH_HPP_

#include <ATen/core/Tensor.h>
#include <c10/util/Optional.h>

#include <cstdint>
#include <tuple>

namespace mish::torch::detail {

// The activations as rows: NCHW is N*C rows of H*W elements of one channel
// (channel = row % C); channels-last is N*H*W rows of C elements, element j
// of channel j.
struct BnShape {
  int64_t rows;
  int64_t row_length;
  int64_t channels;
  bool channels_last;
};

// Per-channel parameters of the element passes, float32 (float64 for float64
// input) [C] tensors on the activations' device.
struct BnChannels {
  at::Tensor scale;  // weight * invstd
  at::Tensor shift;  // bias - mean * scale, plus the residual's
  at::Tensor mean;
  at::Tensor r_scale;  // undefined for a plain residual (or none)
  at::Tensor r_mean;
};

// dx = dz * g_dz + (x - mean) * g_xc + g_0, per channel (dr likewise with
// r_mean; for a plain residual, undefined: dr = dz).
struct BnInputGrad {
  at::Tensor g_dz;
  at::Tensor g_xc;
  at::Tensor g_0;
};

// Passes over dense tensors in the layout `shape` describes; x, r (undefined
// when absent), dy and the outputs share dtype and strides. Sums are float64
// [C] tensors that the pass overwrites.
struct BnMishKernels {
  // sum(x - k) and sum((x - k)^2) per channel (k: a value of the channel,
  // which keeps the variance free of cancellation).
  void (*statistics)(const BnShape& shape, const at::Tensor& x,
                     const at::Tensor& k, const at::Tensor& sum,
                     const at::Tensor& sum_sq);
  void (*forward)(const BnShape& shape, const at::Tensor& x,
                  const at::Tensor& r, const BnChannels& ch,
                  const at::Tensor& y);
  // sum(dz) and sum(dz * (x - mean)) per channel, and sum(dz * (r - r_mean))
  // when sum_dz_rc is defined (a normalized residual). scratch is dr, or dx
  // without a residual, which the backward pass then writes: a backend may
  // leave dz there for it.
  void (*backward_sums)(const BnShape& shape, const at::Tensor& dy,
                        const at::Tensor& x, const at::Tensor& r,
                        const BnChannels& ch, const at::Tensor& sum_dz,
                        const at::Tensor& sum_dz_xc,
                        const at::Tensor& sum_dz_rc, const at::Tensor& scratch);
  // dx, and dr when dr is defined.
  void (*backward)(const BnShape& shape, const at::Tensor& dy,
                   const at::Tensor& x, const at::Tensor& r,
                   const BnChannels& ch, const BnInputGrad& grad,
                   const BnInputGrad& r_grad, const at::Tensor& dx,
                   const at::Tensor& dr);
};

using OptionalTensor = c10::optional<at::Tensor>;

// An undefined tensor as an absent optional one.
inline OptionalTensor optional(const at::Tensor& t) {
  return t.defined() ? OptionalTensor(t) : c10::nullopt;
}

// One batch norm's arguments (undefined tensors where absent).
struct NormArgs {
  at::Tensor weight;
  at::Tensor bias;
  at::Tensor running_mean;
  at::Tensor running_var;
  at::Tensor mean;  // backward: the statistics the forward normalized with
  at::Tensor invstd;
  bool training = true;
  double momentum = 0.1;
  double eps = 1e-5;
};

// output, mean, invstd, and the residual's mean and invstd (empty unless
// residual_norm is given).
using ForwardResult =
    std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;
// d input, d residual, d weight, d bias, d residual_weight, d residual_bias.
using BackwardResult = std::tuple<at::Tensor, at::Tensor, at::Tensor,
                                  at::Tensor, at::Tensor, at::Tensor>;

ForwardResult batch_norm_mish_forward(const at::Tensor& input,
                                      const at::Tensor& residual,
                                      const NormArgs& norm,
                                      const NormArgs* residual_norm,
                                      const BnMishKernels& kernels);

// norm and residual_norm carry the forward's mean and invstd.
BackwardResult batch_norm_mish_backward(const at::Tensor& grad_output,
                                        const at::Tensor& input,
                                        const at::Tensor& residual,
                                        const NormArgs& norm,
                                        const NormArgs* residual_norm,
                                        const BnMishKernels& kernels);

// The operators' arguments after input and residual, flat as their schemas
// (src/torch/schema.cpp) take them, gathered: the input's batch norm and the
// residual's.
struct Norms {
  NormArgs input;
  NormArgs residual;
  bool normalize_residual = false;

  // &residual, or null for a plain residual (or none).
  const NormArgs* residual_norm() const {
    return normalize_residual ? &residual : nullptr;
  }
};

// Both refuse residual batch-norm tensors without normalize_residual.
Norms forward_norms(const OptionalTensor& weight, const OptionalTensor& bias,
                    const OptionalTensor& running_mean,
                    const OptionalTensor& running_var, bool training,
                    double momentum, double eps, bool normalize_residual,
                    const OptionalTensor& residual_weight,
                    const OptionalTensor& residual_bias,
                    const OptionalTensor& residual_running_mean,
                    const OptionalTensor& residual_running_var,
                    bool residual_training, double residual_momentum,
                    double residual_eps);

// The backward's: the forward's mean and invstd in place of running ones.
Norms backward_norms(const OptionalTensor& weight, const OptionalTensor& bias,
                     const at::Tensor& mean, const at::Tensor& invstd,
                     bool training, bool normalize_residual,
                     const OptionalTensor& residual_weight,
                     const OptionalTensor& residual_bias,
                     const OptionalTensor& residual_mean,
                     const OptionalTensor& residual_invstd,
                     bool residual_training);

// fn(input, residual, norms) behind the forward's flat schema arguments.
template <class Result,
          Result (*kFn)(const at::Tensor&, const at::Tensor&, const Norms&)>
Result flat_forward(const at::Tensor& input, const OptionalTensor& residual,
                    const OptionalTensor& weight, const OptionalTensor& bias,
                    const OptionalTensor& running_mean,
                    const OptionalTensor& running_var, bool training,
                    double momentum, double eps, bool normalize_residual,
                    const OptionalTensor& residual_weight,
                    const OptionalTensor& residual_bias,
                    const OptionalTensor& residual_running_mean,
                    const OptionalTensor& residual_running_var,
                    bool residual_training, double residual_momentum,
                    double residual_eps) {
  return kFn(
      input, residual.value_or(at::Tensor()),
      forward_norms(weight, bias, running_mean, running_var, training, momentum,
                    eps, normalize_residual, residual_weight, residual_bias,
                    residual_running_mean, residual_running_var,
                    residual_training, residual_momentum, residual_eps));
}

// fn(grad_output, input, residual, norms) behind the backward's.
template <class Result, Result (*kFn)(const at::Tensor&, const at::Tensor&,
                                      const at::Tensor&, const Norms&)>
Result flat_backward(const at::Tensor& grad_output, const at::Tensor& input,
                     const OptionalTensor& residual,
                     const OptionalTensor& weight, const OptionalTensor& bias,
                     const at::Tensor& mean, const at::Tensor& invstd,
                     bool training, bool normalize_residual,
                     const OptionalTensor& residual_weight,
                     const OptionalTensor& residual_bias,
                     const OptionalTensor& residual_mean,
                     const OptionalTensor& residual_invstd,
                     bool residual_training) {
  return kFn(grad_output, input, residual.value_or(at::Tensor()),
             backward_norms(weight, bias, mean, invstd, training,
                            normalize_residual, residual_weight, residual_bias,
                            residual_mean, residual_invstd, residual_training));
}

// A backend's kernels for the two operators, given its passes:
// flat_forward<ForwardResult, forward_of<kPasses>> and
// flat_backward<BackwardResult, backward_of<kPasses>>.
template <const BnMishKernels& kPasses>
ForwardResult forward_of(const at::Tensor& input, const at::Tensor& residual,
                         const Norms& n) {
  return batch_norm_mish_forward(input, residual, n.input, n.residual_norm(),
                                 kPasses);
}

template <const BnMishKernels& kPasses>
BackwardResult backward_of(const at::Tensor& grad_output,
                           const at::Tensor& input, const at::Tensor& residual,
                           const Norms& n) {
  return batch_norm_mish_backward(grad_output, input, residual, n.input,
                                  n.residual_norm(), kPasses);
}

// The registered operators through the dispatcher (src/torch/functional.cpp).
ForwardResult call_batch_norm_mish_forward(const at::Tensor& input,
                                           const at::Tensor& residual,
                                           const NormArgs& norm,
                                           const NormArgs* residual_norm);

BackwardResult call_batch_norm_mish_backward(const at::Tensor& grad_output,
                                             const at::Tensor& input,
                                             const at::Tensor& residual,
                                             const NormArgs& norm,
                                             const NormArgs* residual_norm);

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_BATCH_NORM_MISH_HPP_
