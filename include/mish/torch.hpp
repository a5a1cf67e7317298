// mish for LibTorch: the operators registered as torch.ops.mish.* by
// libmish_torch.so, as functions (mish/torch/ops.hpp, ATen only) and as
// modules (mish/torch/nn.hpp).
//
//   #include <mish/torch.hpp>
//   auto y = mish::torch::mish(x);   // autograd-capable, any device we build
//   torch::nn::Sequential net(torch::nn::Linear(4, 8), mish::nn::Mish());
//   mish::nn::BatchNormMish2d bn(64);  // mish(batch_norm(x) + residual)
#ifndef MISH_TORCH_HPP_
#define MISH_TORCH_HPP_

#include "mish/torch/nn.hpp"
#include "mish/torch/ops.hpp"

#endif  // MISH_TORCH_HPP_
