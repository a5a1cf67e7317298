#include "train/self_attention.hpp"

#include <torch/torch.h>

namespace mishlab {

SimpleSelfAttentionImpl::SimpleSelfAttentionImpl(int64_t channels,
                                                 bool symmetric)
    : channels_(channels), symmetric_(symmetric) {
  conv = register_module(
      "conv", torch::nn::Conv1d(
                  torch::nn::Conv1dOptions(channels, channels, 1).bias(false)));
  torch::nn::init::kaiming_normal_(conv->weight);
  gamma = register_parameter("gamma", torch::zeros({1}));
}

torch::Tensor SimpleSelfAttentionImpl::forward(const torch::Tensor& x) {
  const auto sizes = x.sizes();
  const auto flat = x.reshape({sizes[0], sizes[1], -1});
  auto w = conv->weight.view({channels_, channels_});
  if (symmetric_) w = (w + w.t()) / 2;
  const auto wx = torch::matmul(w, flat);                   // (B, C, N)
  const auto xxt = torch::bmm(flat, flat.transpose(1, 2));  // (B, C, C)
  return (gamma * torch::bmm(xxt, wx) + flat).view(sizes);
}

}  // namespace mishlab
