// mish's LibTorch operators as C++ functions: torch.ops.mish.* through the
// dispatcher (autograd, every device built, TorchScript). Needs only ATen;
// the modules are in mish/torch/nn.hpp.
//
//   #include <mish/torch/ops.hpp>
//   at::Tensor y = mish::torch::mish(x);
#ifndef MISH_TORCH_OPS_HPP_
#define MISH_TORCH_OPS_HPP_

#include <ATen/core/Tensor.h>
#include <c10/util/Optional.h>

#if defined(_WIN32)
#if defined(MISH_BUILDING_TORCH)
#define MISH_TORCH_API __declspec(dllexport)
#else
#define MISH_TORCH_API __declspec(dllimport)
#endif
#else
#define MISH_TORCH_API __attribute__((visibility("default")))
#endif

namespace mish {
namespace torch {

// mish(x) = x * tanh(softplus(x)); float32, float64, bfloat16 and float16.
// Calls mish::mish through the dispatcher, so autograd, CUDA and TorchScript
// see the same operator as Python's torch.ops.mish.mish.
MISH_TORCH_API at::Tensor mish(const at::Tensor& self);
// In place; fails on a leaf that requires grad, as torch's in-place ops do.
MISH_TORCH_API at::Tensor& mish_(at::Tensor& self);
// grad_output * mish'(self): the operator autograd calls; differentiable too.
MISH_TORCH_API at::Tensor mish_backward(const at::Tensor& grad_output,
                                        const at::Tensor& self);

// The batch norm a residual goes through before the addition (a projection
// shortcut's BatchNorm2d): its parameters, buffers and mode.
struct ResidualNorm {
  c10::optional<at::Tensor> weight;
  c10::optional<at::Tensor> bias;
  c10::optional<at::Tensor> running_mean;
  c10::optional<at::Tensor> running_var;
  bool training = true;
  double momentum = 0.1;
  double eps = 1e-5;
};

// mish(batch_norm(input) + residual) for (N, C, H, W) input, NCHW or
// channels-last (the output keeps it), float32, float64, bfloat16 or float16
// with float32 statistics (float64 for float64). Training normalizes with
// the batch's statistics and, when given, updates running_mean and
// running_var (unbiased) by momentum, as BatchNorm2d; evaluation uses them.
// With residual_norm, the residual is normalized too, by its own batch norm:
// mish(batch_norm(input) + batch_norm_r(residual)).
// Autograd saves only input, residual and per-channel statistics: the
// activation memory of BatchNorm2d + ReLU(inplace).
MISH_TORCH_API at::Tensor batch_norm_mish(
    const at::Tensor& input, const c10::optional<at::Tensor>& residual,
    const c10::optional<at::Tensor>& weight,
    const c10::optional<at::Tensor>& bias,
    const c10::optional<at::Tensor>& running_mean,
    const c10::optional<at::Tensor>& running_var, bool training,
    double momentum, double eps,
    const c10::optional<ResidualNorm>& residual_norm = c10::nullopt);

}  // namespace torch
}  // namespace mish

#endif  // MISH_TORCH_OPS_HPP_
