#pragma once

// The benchmark lists of `mish-lab suite`: each benchmark is a model with
// its settings (and so a task: classification, segmentation,
// reconstruction or adversarial generation), trained with every activation
// and seed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "train/run_spec.hpp"

namespace mishlab {

struct Benchmark {
  std::string name;  // the run's point: "resnet20", "deep10", "unet"
  std::function<void(RunSpec&)> apply;
};

// "quick", "paper".
std::vector<std::string> suite_names();

// quick: the small CNN, the MLP, ResNet-20, a 10-block deep network, the
// U-Net, the autoencoder and the DCGAN at the experiment's --epochs (the
// suite's limits: 2000 training and 1000 test examples).
// paper: the same and the plain CNNs and XResNet-18, each at the lab's full
// settings (its own epochs and widths, all the data). Throws Error for an
// unknown name.
std::vector<Benchmark> suite_benchmarks(const std::string& suite);

// The suite's --train-limit and --test-limit (0: all the data).
struct SuiteLimits {
  int64_t train = 0;
  int64_t test = 0;
};
SuiteLimits suite_limits(const std::string& suite);

}  // namespace mishlab
