#pragma once

// The networks (CNNs, MLPs, the depth test's MLP, ResNet-20, XResNet,
// CSPDarknet-53) and weight initialisers, by name.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mishlab {

struct RunSpec;

struct DataShape {
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t classes = 0;
};

std::vector<std::string> model_names();
// Whether the model's batch norms can train fused with Mish
// (TrainSettings::fused_bn_mish): the 2-D ones that an activation follows.
bool fuses_bn_mish(const std::string& model);
// The network spec.train.model names, with spec.activation.
torch::nn::AnyModule build_model(const RunSpec& spec, const DataShape& shape);

// Keras' initialiser names, and "default" (LibTorch's own).
std::vector<std::string> init_names();
// Re-initialises the weights of every convolution and linear layer (biases
// to zero); "default" keeps LibTorch's own initialisation.
void init_weights(torch::nn::Module& model, const std::string& init);

}  // namespace mishlab
