#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <map>

#include "mishlab/catalog.hpp"
#include "mishlab/error.hpp"
#include "mishlab/nn.hpp"

namespace mishlab {

namespace optim = torch::optim;

namespace {

std::map<std::string, OptimizerFactory>& optimizers() {
  static std::map<std::string, OptimizerFactory> table = {
      {"sgd",
       [](std::vector<at::Tensor> p, const RunSpec& s) {
         return std::make_unique<optim::SGD>(std::move(p),
                                             optim::SGDOptions(s.lr)
                                                 .momentum(s.momentum)
                                                 .weight_decay(s.weight_decay));
       }},
      {"adam",
       [](std::vector<at::Tensor> p, const RunSpec& s) {
         return std::make_unique<optim::Adam>(
             std::move(p),
             optim::AdamOptions(s.lr).weight_decay(s.weight_decay));
       }},
      {"adamw",
       [](std::vector<at::Tensor> p, const RunSpec& s) {
         return std::make_unique<optim::AdamW>(
             std::move(p),
             optim::AdamWOptions(s.lr).weight_decay(s.weight_decay));
       }},
  };
  return table;
}

std::map<std::string, Schedule>& schedules() {
  static std::map<std::string, Schedule> table = {
      {"constant", [](double) { return 1.0; }},
      {"cosine",
       [](double t) { return 0.5 * (1 + std::cos(3.14159265358979 * t)); }},
  };
  return table;
}

template <typename Map>
std::vector<std::string> keys(const Map& m) {
  std::vector<std::string> names;
  for (const auto& entry : m) names.push_back(entry.first);
  return names;
}

}  // namespace

void register_optimizer(const std::string& name, OptimizerFactory factory) {
  optimizers()[name] = std::move(factory);
}

std::unique_ptr<optim::Optimizer> make_optimizer(std::vector<at::Tensor> params,
                                                 const RunSpec& spec) {
  const auto it = optimizers().find(spec.optimizer);
  if (it == optimizers().end()) {
    throw Error("unknown optimizer '" + spec.optimizer + "'");
  }
  return it->second(std::move(params), spec);
}

void register_schedule(const std::string& name, Schedule schedule) {
  schedules()[name] = std::move(schedule);
}

Schedule get_schedule(const std::string& name) {
  const auto it = schedules().find(name);
  if (it == schedules().end()) throw Error("unknown schedule '" + name + "'");
  return it->second;
}

std::vector<std::string> optimizer_names() { return keys(optimizers()); }
std::vector<std::string> schedule_names() { return keys(schedules()); }

}  // namespace mishlab
