#pragma once

// The optimizers by name: SGD, Adam, AdamW (LibTorch), RAdam and Ranger
// (train/radam.hpp, train/ranger.hpp).

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

namespace mishlab {

struct TrainSettings;

std::vector<std::string> optimizer_names();
// settings.optimizer with its lr, momentum, weight decay and gc.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    std::vector<torch::Tensor> params, const TrainSettings& settings);

}  // namespace mishlab
