// CSPDarknet-53, the YOLOv4 backbone (Bochkovskiy et al. 2020), as a
// classifier: a 3x3 stem and five cross-stage-partial stages of 1, 2, 8, 8
// and 4 residual blocks (64 to 1024 channels), every convolution followed by
// a batch norm and the activation (Mish in YOLOv4): 72 of them. Each stage
// downsamples, splits into a 1x1 route and a main path of residual blocks,
// and merges the two by concatenation and a 1x1 convolution.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace mishlab {

struct CSPDarknetOptions {
  int64_t in_channels = 3;
  int64_t classes = 1000;
  double widen = 1.0;  // scales every width
  // 28-32 px inputs: the first stage keeps the resolution, so the stages
  // see 28, 14, 7, 4, 2 px instead of ending on 1 px.
  bool small_input = false;
  std::string activation = "mish";
  // Each batch norm and the Mish after it are one BatchNormMish2d, under
  // the batch norm's name.
  bool fused_bn_mish = false;
};

class CSPDarknet53Impl : public torch::nn::Module {
 public:
  explicit CSPDarknet53Impl(const CSPDarknetOptions& options);

  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential body{nullptr};  // stem + stages + pooling
  torch::nn::Sequential head{nullptr};  // the classifier
};
TORCH_MODULE(CSPDarknet53);

}  // namespace mishlab
