// mish for LibTorch: the operators registered as torch.ops.mish.* by
// libmish_torch.so, a functional API and a module.
//
//   #include <mish/torch.hpp>
//   auto y = mish::torch::mish(x);   // autograd-capable, any device we build
//   torch::nn::Sequential net(torch::nn::Linear(4, 8), mish::nn::Mish());
#ifndef MISH_TORCH_HPP_
#define MISH_TORCH_HPP_

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <ostream>

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

}  // namespace nn
}  // namespace mish

#endif  // MISH_TORCH_HPP_
