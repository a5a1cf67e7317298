#pragma once

// The LibTorch side of the lab: activations, networks, initialisers,
// optimizers and schedules, each in a registry looked up by name. Code that
// plugs in (lab/recipe) registers its own entries before running experiments.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mishlab/runner.hpp"

namespace mishlab {

// A fresh activation module; "mish" is the project's mish::nn::Mish.
torch::nn::AnyModule make_activation(const std::string& name);

struct DataShape {
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t classes = 0;
};

using ModelFactory =
    std::function<torch::nn::AnyModule(const RunSpec&, const DataShape&)>;
void register_model(const std::string& name, ModelFactory factory);
torch::nn::AnyModule build_model(const RunSpec& spec, const DataShape& shape);

// Re-initialises the weights of every convolution and linear layer (biases
// to zero); "default" keeps LibTorch's own initialisation.
void init_weights(torch::nn::Module& model, const std::string& init);

using OptimizerFactory = std::function<std::unique_ptr<torch::optim::Optimizer>(
    std::vector<torch::Tensor> params, const RunSpec&)>;
void register_optimizer(const std::string& name, OptimizerFactory factory);
std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    std::vector<torch::Tensor> params, const RunSpec& spec);

// Learning-rate multiplier at a point of training, progress in [0, 1).
using Schedule = std::function<double(double progress)>;
void register_schedule(const std::string& name, Schedule schedule);
Schedule get_schedule(const std::string& name);

}  // namespace mishlab
