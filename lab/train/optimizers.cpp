#include "train/optimizers.hpp"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <functional>
#include <map>

#include "common/error.hpp"
#include "train/radam.hpp"
#include "train/ranger.hpp"
#include "train/settings.hpp"

namespace mishlab {

namespace optim = torch::optim;

namespace {

using Factory = std::function<std::unique_ptr<optim::Optimizer>(
    std::vector<at::Tensor>, const TrainSettings&)>;

const std::map<std::string, Factory>& optimizers() {
  static const std::map<std::string, Factory> table = {
      {"sgd",
       [](std::vector<at::Tensor> p, const TrainSettings& s) {
         return std::make_unique<optim::SGD>(std::move(p),
                                             optim::SGDOptions(s.lr)
                                                 .momentum(s.momentum)
                                                 .weight_decay(s.weight_decay));
       }},
      {"adam",
       [](std::vector<at::Tensor> p, const TrainSettings& s) {
         return std::make_unique<optim::Adam>(
             std::move(p),
             optim::AdamOptions(s.lr).weight_decay(s.weight_decay));
       }},
      {"adamw",
       [](std::vector<at::Tensor> p, const TrainSettings& s) {
         return std::make_unique<optim::AdamW>(
             std::move(p),
             optim::AdamWOptions(s.lr).weight_decay(s.weight_decay));
       }},
      {"radam",
       [](std::vector<at::Tensor> p, const TrainSettings& s) {
         return std::make_unique<RAdam>(std::move(p),
                                        RAdamOptions(s.lr)
                                            .weight_decay(s.weight_decay)
                                            .centralize_gradients(s.gc));
       }},
      {"ranger",
       [](std::vector<at::Tensor> p, const TrainSettings& s) {
         return std::make_unique<Ranger>(std::move(p),
                                         RangerOptions()
                                             .lr(s.lr)
                                             .weight_decay(s.weight_decay)
                                             .centralize_gradients(s.gc));
       }},
  };
  return table;
}

}  // namespace

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const auto& entry : optimizers()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<optim::Optimizer> make_optimizer(std::vector<at::Tensor> params,
                                                 const TrainSettings& s) {
  const auto it = optimizers().find(s.optimizer);
  if (it == optimizers().end()) {
    throw Error("unknown optimizer '" + s.optimizer + "'");
  }
  return it->second(std::move(params), s);
}

}  // namespace mishlab
