// Fused batch norm + Mish: the logic every backend shares (argument checks,
// memory formats, the per-channel arithmetic, running statistics). A backend
// supplies four passes over the activations; everything per-channel is done
// here with ATen ops on [C] tensors.
//
// With the per-channel scale = weight * invstd and shift = bias - mean * scale,
// z = x * scale + shift (+ r), y = mish(z), dz = dy * mish'(z):
//   forward:  sums (training only), then y         3 passes (4 with r)
//   backward: sum(dz), sum(dz (x - mean)), then dx  5 passes (7 with r, dr)
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
  at::Tensor shift;  // bias - mean * scale
  at::Tensor mean;
};

// dx = dz * g_dz + (x - mean) * g_xc + g_0, per channel.
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
  // sum(dz) and sum(dz * (x - mean)) per channel.
  void (*backward_sums)(const BnShape& shape, const at::Tensor& dy,
                        const at::Tensor& x, const at::Tensor& r,
                        const BnChannels& ch, const at::Tensor& sum_dz,
                        const at::Tensor& sum_dz_xc);
  // dx, and dr = dz when dr is defined.
  void (*backward)(const BnShape& shape, const at::Tensor& dy,
                   const at::Tensor& x, const at::Tensor& r,
                   const BnChannels& ch, const BnInputGrad& grad,
                   const at::Tensor& dx, const at::Tensor& dr);
};

using OptionalTensor = c10::optional<at::Tensor>;

std::tuple<at::Tensor, at::Tensor, at::Tensor> batch_norm_mish_forward(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps, const BnMishKernels& kernels);

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
batch_norm_mish_backward(const at::Tensor& grad_output, const at::Tensor& input,
                         const OptionalTensor& residual,
                         const OptionalTensor& weight,
                         const OptionalTensor& bias, const at::Tensor& mean,
                         const at::Tensor& invstd, bool training,
                         const BnMishKernels& kernels);

// A backend's kernels for the two operators, given its passes.
template <const BnMishKernels& kPasses>
std::tuple<at::Tensor, at::Tensor, at::Tensor> forward_with(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps) {
  return batch_norm_mish_forward(input, residual, weight, bias, running_mean,
                                 running_var, training, momentum, eps, kPasses);
}

template <const BnMishKernels& kPasses>
std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor> backward_with(
    const at::Tensor& grad_output, const at::Tensor& input,
    const OptionalTensor& residual, const OptionalTensor& weight,
    const OptionalTensor& bias, const at::Tensor& mean,
    const at::Tensor& invstd, bool training) {
  return batch_norm_mish_backward(grad_output, input, residual, weight, bias,
                                  mean, invstd, training, kPasses);
}

// The registered operators through the dispatcher (src/torch/functional.cpp).
std::tuple<at::Tensor, at::Tensor, at::Tensor> call_batch_norm_mish_forward(
    const at::Tensor& input, const OptionalTensor& residual,
    const OptionalTensor& weight, const OptionalTensor& bias,
    const OptionalTensor& running_mean, const OptionalTensor& running_var,
    bool training, double momentum, double eps);

std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
call_batch_norm_mish_backward(const at::Tensor& grad_output,
                              const at::Tensor& input,
                              const OptionalTensor& residual,
                              const OptionalTensor& weight,
                              const OptionalTensor& bias,
                              const at::Tensor& mean, const at::Tensor& invstd,
                              bool training);

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_BATCH_NORM_MISH_HPP_
