#pragma once

#include <string>
#include <vector>

#include "train/settings.hpp"

namespace mishlab {

// One training run: the point of the experiment it belongs to, the
// activation, the seed and the settings it trains with.
struct RunSpec {
  std::string point;  // "depth=15"; empty when the experiment has one point
  double x = 0;       // the point as a number, for plots
  std::string activation;
  int seed = 0;
  int depth = 0;              // blocks, for the models that take one
  std::vector<double> noise;  // input-noise stds evaluated after training
  TrainSettings train;

  // File-name-safe and unique within an experiment: "depth=15-mish-s2".
  std::string id() const;
};

}  // namespace mishlab
