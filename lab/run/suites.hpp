#pragma once

// The benchmark lists of `mish-lab suite`: each benchmark is a model with
// its settings (and so a task: classification, segmentation or
// reconstruction), trained with every activation and seed.

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
// U-Net and the autoencoder, at the experiment's --epochs (small limits by
// default). paper: the same and the plain CNNs and XResNet-18, each at the
// lab's full settings (its own epochs and widths). Throws Error for an
// unknown name.
std::vector<Benchmark> suite_benchmarks(const std::string& suite);

}  // namespace mishlab
