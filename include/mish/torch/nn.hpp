// mish's LibTorch modules: mish::nn::Mish and mish::nn::BatchNormMish2d,
// for torch::nn models.
//
//   #include <mish/torch/nn.hpp>
//   torch::nn::Sequential net(torch::nn::Linear(4, 8), mish::nn::Mish());
//   mish::nn::BatchNormMish2d bn(64);  // mish(batch_norm(x) + residual)
#ifndef MISH_TORCH_NN_HPP_
#define MISH_TORCH_NN_HPP_

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/any_value.h>
#include <torch/nn/pimpl.h>

#include <ostream>
#include <vector>

#include "mish/torch/ops.hpp"

namespace mish {
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

#endif  // MISH_TORCH_NN_HPP_
