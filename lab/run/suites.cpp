#include "run/suites.hpp"

#include "common/error.hpp"

namespace mishlab {

namespace {

// A benchmark of `model` with `width`, `depth` and, above 0, its own epochs.
Benchmark benchmark(std::string name, std::string model, int width = 0,
                    int depth = 0, int epochs = 0) {
  return {std::move(name),
          [model = std::move(model), width, depth, epochs](RunSpec& r) {
            r.train.model = model;
            if (width > 0) r.train.width = width;
            if (depth > 0) r.depth = depth;
            if (epochs > 0) r.train.epochs = epochs;
          }};
}

// The DCGAN with the original's learning rate (2e-4; the lab's 1e-3 is what
// the DCGAN paper found too high) and, above 0, its own epochs.
Benchmark dcgan(int width, int epochs = 0) {
  return {"dcgan", [width, epochs](RunSpec& r) {
            r.train.model = "dcgan";
            r.train.width = width;
            r.train.lr = 2e-4;
            if (epochs > 0) r.train.epochs = epochs;
          }};
}

}  // namespace

std::vector<std::string> suite_names() { return {"quick", "paper"}; }

std::vector<Benchmark> suite_benchmarks(const std::string& suite) {
  if (suite == "quick") {
    return {benchmark("cnn", "cnn"),
            benchmark("mlp", "mlp"),
            benchmark("resnet20", "resnet20"),
            benchmark("deep10", "deep", 128, 10),
            benchmark("unet", "unet", 8),
            benchmark("autoencoder", "autoencoder", 16),
            dcgan(16)};
  }
  if (suite == "paper") {
    // The paper's depth test: 500 units per block; its CIFAR networks
    // trained for tens of epochs.
    return {benchmark("cnn", "cnn", 0, 0, 10),
            benchmark("cnn5", "cnn5", 0, 0, 10),
            benchmark("cnn6", "cnn6", 0, 0, 10),
            benchmark("mlp", "mlp", 0, 0, 10),
            benchmark("resnet20", "resnet20", 0, 0, 30),
            benchmark("xresnet18", "xresnet18", 0, 0, 20),
            benchmark("deep10", "deep", 500, 10, 10),
            benchmark("deep15", "deep", 500, 15, 10),
            benchmark("unet", "unet", 16, 0, 10),
            benchmark("autoencoder", "autoencoder", 16, 0, 10),
            dcgan(32, 20)};
  }
  throw Error("unknown suite '" + suite + "'");
}

SuiteLimits suite_limits(const std::string& suite) {
  if (suite == "paper") return {0, 0};
  return {2000, 1000};
}

}  // namespace mishlab
