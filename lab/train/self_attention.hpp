// SimpleSelfAttention: o = gamma * (x x^T)(W x) + x over the flattened
// spatial positions, with W a 1x1 convolution without bias. gamma starts at
// 0, so the layer is the identity at initialisation.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace mishlab {

class SimpleSelfAttentionImpl : public torch::nn::Module {
 public:
  // `symmetric` uses (W + W^T) / 2, which keeps the map symmetric.
  explicit SimpleSelfAttentionImpl(int64_t channels, bool symmetric = false);

  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv1d conv{nullptr};
  torch::Tensor gamma;

 private:
  int64_t channels_;
  bool symmetric_;
};
TORCH_MODULE(SimpleSelfAttention);

}  // namespace mishlab
