// XResNet ("bag of tricks" ResNet, He et al. 2019) as fastai builds it:
// a stem of three 3x3 conv-BN-act layers, residual stages whose last
// BatchNorm starts at gamma = 0 (each block starts as the identity), and
// average-pool + 1x1 conv shortcuts. MXResNet is the same net with Mish and
// a SimpleSelfAttention in the last block of the first stage.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <functional>

namespace mishlab {

using ActivationFactory = std::function<torch::nn::AnyModule()>;

struct XResNetOptions {
  int depth = 50;  // 18, 34 or 50
  int64_t in_channels = 3;
  int64_t classes = 1000;
  double widen = 1.0;  // scales every width (stem and stages)
  // 28 px inputs (Fashion-MNIST): no stride in the first stem conv, so the
  // stages see 14, 7, 4, 2 px instead of a 1 px map.
  bool small_input = false;
  bool self_attention = false;
  bool symmetric_attention = false;
  ActivationFactory activation;
  // The activation is Mish: each batch norm that an activation follows,
  // and the activation after a block's addition, is one BatchNormMish2d.
  bool fused_bn_mish = false;
};

class XResNetImpl : public torch::nn::Module {
 public:
  explicit XResNetImpl(const XResNetOptions& options);

  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential body{nullptr};  // stem + stages + pooling
  torch::nn::Sequential head{nullptr};  // the classifier
};
TORCH_MODULE(XResNet);

}  // namespace mishlab
