// mish for LibTorch: the operators registered as torch.ops.mish.* by
// libmish_torch.so, a functional API and modules.
//
//   #include <mish/torch.hpp>
//   auto y = mish::torch::mish(x);   // autograd-capable, any device we build
//   torch::nn::Sequential net(torch::nn::Linear(4, 8), mish::nn::Mish());
//   mish::nn::BatchNormMish2d bn(64);  // mish(batch_norm(x) + residual)
#ifndef MISH_TORCH_HPP_
#define MISH_TORCH_HPP_

#include <c10/util/Optional.h>
#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/any_value.h>
#include <torch/nn/pimpl.h>

#include <ostream>
#include <vector>

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

namespace nn {

struct MishOptions {
  // Overwrite the input instead of allocating the output.
  TORCH_ARG(bool, inplace) = false;
};

class MISH_TORCH_API MishImpl : public ::torch::nn::Cloneable<MishImpl> {
 public:
  explicit MishImpl(const MishOptions& opts = {});

  at::Tensor forward(at::Tensor input);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  MishOptions options;
};

// A drop-in for ::torch::nn::Mish backed by our kernels. TORCH_MODULE(Mish)
// spelled out: inside namespace mish, its unqualified torch:: would name
// mish::torch.
class Mish : public ::torch::nn::ModuleHolder<MishImpl> {
 public:
  using ::torch::nn::ModuleHolder<MishImpl>::ModuleHolder;
  using Impl = MishImpl;
};

// BatchNorm2d followed by Mish, fused: forward(input, residual) computes
// mish(bn(input) + residual) (residual undefined: mish(bn(input))), and
// forward(input, residual, shortcut_bn) mish(bn(input) + shortcut_bn(residual))
// keeping shortcut_bn's input only. Its
// parameters and buffers are BatchNorm2d's, under the same names, so state
// dicts load both ways.
class MISH_TORCH_API BatchNormMish2dImpl
    : public ::torch::nn::NormImplBase<2, BatchNormMish2dImpl,
                                       ::torch::nn::BatchNormOptions> {
 public:
  explicit BatchNormMish2dImpl(int64_t num_features)
      : BatchNormMish2dImpl(::torch::nn::BatchNormOptions(num_features)) {}
  explicit BatchNormMish2dImpl(const ::torch::nn::BatchNormOptions& opts);

  // With residual_norm (a projection shortcut's batch norm), the residual
  // goes through it first: mish(bn(input) + residual_norm(residual)), and
  // residual_norm's running statistics are updated as its own forward would.
  at::Tensor forward(const at::Tensor& input,
                     const at::Tensor& residual = at::Tensor(),
                     const ::torch::nn::BatchNorm2d& residual_norm = nullptr);
  void pretty_print(std::ostream& stream) const override;

 protected:
  void _check_input_dim(const at::Tensor& input) override;

  // What FORWARD_HAS_DEFAULT_ARGS declares, spelled with ::torch (inside
  // namespace mish, its torch:: would name mish::torch): inside a
  // torch::nn::Sequential, forward(input) gets an undefined residual.
  template <typename ModuleType, typename... ArgumentTypes>
  friend struct ::torch::nn::AnyModuleHolder;
  bool _forward_has_default_args() override { return true; }
  unsigned int _forward_num_required_args() override { return 1; }
  std::vector<::torch::nn::AnyValue> _forward_populate_default_args(
      std::vector<::torch::nn::AnyValue>&& arguments) override;
};

class BatchNormMish2d : public ::torch::nn::ModuleHolder<BatchNormMish2dImpl> {
 public:
  using ::torch::nn::ModuleHolder<BatchNormMish2dImpl>::ModuleHolder;
  using Impl = BatchNormMish2dImpl;
};

}  // namespace nn
}  // namespace mish

#endif  // MISH_TORCH_HPP_
