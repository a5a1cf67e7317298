// Fused batch norm + Mish (batch_norm_mish and the two steps autograd calls,
// batch_norm_mish_forward and batch_norm_mish_backward): the arguments as
// structs, the logic every backend shares (argument checks, memory formats,
// the per-channel arithmetic, running statistics) and the registration of a
// backend, which supplies four passes over the activations; everything
// per-channel is done here with ATen ops on [C] tensors. A backend's kernels
// for dispatch key K live in batch_norm_mish_<k>.cpp.
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
#include <torch/library.h>

#include <array>
#include <cstdint>

#include "boxed.hpp"

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

// The arguments of batch_norm_mish and batch_norm_mish_forward.
struct ForwardArgs {
  at::Tensor input;
  at::Tensor residual;  // undefined: none
  NormArgs norm;
  bool normalize_residual = false;
  NormArgs residual_norm;  // the residual's batch norm, with normalize_residual

  const NormArgs* residual_norm_or_null() const {
    return normalize_residual ? &residual_norm : nullptr;
  }
};

// Which of Grads batch_norm_mish_backward computes, in Grads' order.
using OutputMask = std::array<bool, 6>;

// The arguments of batch_norm_mish_backward: the forward's mean and invstd
// in place of the running statistics.
struct BackwardArgs {
  at::Tensor grad_output;
  at::Tensor input;
  at::Tensor residual;
  NormArgs norm;
  bool normalize_residual = false;
  NormArgs residual_norm;
  OutputMask output_mask{true, true, true, true, true, true};

  const NormArgs* residual_norm_or_null() const {
    return normalize_residual ? &residual_norm : nullptr;
  }
};

// The argument lists in the order of the schemas (src/torch/schema.cpp):
// the one place C++ spells them.
template <class Fn>
void for_each_field(ForwardArgs& a, Fn&& fn) {
  fn(a.input);
  fn(a.residual);
  fn(a.norm.weight);
  fn(a.norm.bias);
  fn(a.norm.running_mean);
  fn(a.norm.running_var);
  fn(a.norm.training);
  fn(a.norm.momentum);
  fn(a.norm.eps);
  fn(a.normalize_residual);
  fn(a.residual_norm.weight);
  fn(a.residual_norm.bias);
  fn(a.residual_norm.running_mean);
  fn(a.residual_norm.running_var);
  fn(a.residual_norm.training);
  fn(a.residual_norm.momentum);
  fn(a.residual_norm.eps);
}

template <class Fn>
void for_each_field(BackwardArgs& a, Fn&& fn) {
  fn(a.grad_output);
  fn(a.input);
  fn(a.residual);
  fn(a.norm.weight);
  fn(a.norm.bias);
  fn(a.norm.mean);
  fn(a.norm.invstd);
  fn(a.norm.training);
  fn(a.normalize_residual);
  fn(a.residual_norm.weight);
  fn(a.residual_norm.bias);
  fn(a.residual_norm.mean);
  fn(a.residual_norm.invstd);
  fn(a.residual_norm.training);
  fn(a.output_mask);
}

// batch_norm_mish_forward's outputs: the float32 (float64) per-channel
// statistics it normalized with, the residual's empty when it is not
// normalized.
struct ForwardOutputs {
  at::Tensor output;
  at::Tensor mean;
  at::Tensor invstd;
  at::Tensor residual_mean;
  at::Tensor residual_invstd;
};

template <class Fn>
void for_each_field(ForwardOutputs& o, Fn&& fn) {
  fn(o.output);
  fn(o.mean);
  fn(o.invstd);
  fn(o.residual_mean);
  fn(o.residual_invstd);
}

// batch_norm_mish_functional's outputs: the running statistics as the
// forward would have left them, empty where not given.
struct FunctionalOutputs {
  at::Tensor output;
  at::Tensor running_mean;
  at::Tensor running_var;
  at::Tensor residual_running_mean;
  at::Tensor residual_running_var;
};

template <class Fn>
void for_each_field(FunctionalOutputs& o, Fn&& fn) {
  fn(o.output);
  fn(o.running_mean);
  fn(o.running_var);
  fn(o.residual_running_mean);
  fn(o.residual_running_var);
}

// batch_norm_mish_backward's outputs; undefined where the output mask says
// so, or where the argument is absent.
struct Grads {
  at::Tensor input;
  at::Tensor residual;
  at::Tensor weight;
  at::Tensor bias;
  at::Tensor residual_weight;
  at::Tensor residual_bias;
};

template <class Fn>
void for_each_field(Grads& g, Fn&& fn) {
  fn(g.input);
  fn(g.residual);
  fn(g.weight);
  fn(g.bias);
  fn(g.residual_weight);
  fn(g.residual_bias);
}

// The checks every backend makes, Meta's included.
void check_forward_args(const ForwardArgs& a);
void check_backward_args(const BackwardArgs& a);

// NCHW or channels-last as they are, anything else made NCHW.
at::Tensor dense(const at::Tensor& input);

// Statistics and per-channel parameters: float32, float64 for float64 input.
at::ScalarType stats_type(const at::Tensor& input);

ForwardOutputs batch_norm_mish_forward(const ForwardArgs& a,
                                       const BnMishKernels& kernels);
Grads batch_norm_mish_backward(const BackwardArgs& a,
                               const BnMishKernels& kernels);

// Registers batch_norm_mish_forward and batch_norm_mish_backward for a
// dispatch key: TORCH_LIBRARY_IMPL(mish, Meta, m) {
// register_batch_norm_mish<forward_meta, backward_meta>(m); }.
template <ForwardOutputs (*kForward)(const ForwardArgs&),
          Grads (*kBackward)(const BackwardArgs&)>
void register_batch_norm_mish(::torch::Library& m) {
  m.impl("batch_norm_mish_forward",
         ::torch::CppFunction::makeFromBoxedFunction<
             &boxed<ForwardArgs, ForwardOutputs, kForward>>());
  m.impl("batch_norm_mish_backward",
         ::torch::CppFunction::makeFromBoxedFunction<
             &boxed<BackwardArgs, Grads, kBackward>>());
}

template <const BnMishKernels& kPasses>
ForwardOutputs forward_with(const ForwardArgs& a) {
  return batch_norm_mish_forward(a, kPasses);
}

template <const BnMishKernels& kPasses>
Grads backward_with(const BackwardArgs& a) {
  return batch_norm_mish_backward(a, kPasses);
}

// A backend given by its passes:
// TORCH_LIBRARY_IMPL(mish, CPU, m) { register_batch_norm_mish<kCpu>(m); }.
template <const BnMishKernels& kPasses>
void register_batch_norm_mish(::torch::Library& m) {
  register_batch_norm_mish<forward_with<kPasses>, backward_with<kPasses>>(m);
}

// The registered operators, through the dispatcher
// (src/torch/functional.cpp).
at::Tensor call_batch_norm_mish(const ForwardArgs& a);
FunctionalOutputs call_batch_norm_mish_functional(const ForwardArgs& a);
ForwardOutputs call_batch_norm_mish_forward(const ForwardArgs& a);
Grads call_batch_norm_mish_backward(const BackwardArgs& a);

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_BATCH_NORM_MISH_HPP_
