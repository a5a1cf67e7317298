#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mishlab/data/images.hpp"
#include "mishlab/nn.hpp"

namespace mishlab {

// Examples as tensors on the training device: x is N x C x H x W float,
// standardised per channel with the training set's statistics; y is int64.
struct TensorSet {
  at::Tensor x;
  at::Tensor y;
  int64_t size() const { return y.size(0); }
};
struct TensorData {
  TensorSet train;
  TensorSet test;
  DataShape shape;
};
TensorData to_tensors(const ImageData& data, c10::Device device);

// Called between backward and the optimizer step with the model whose
// gradients are ready: the seam where data-parallel training all-reduces them
// (c10d: Gloo on CPU, NCCL on GPU). Empty on one process.
using GradientSync = std::function<void(torch::nn::Module&)>;

struct PassStats {
  double loss = 0;
  double accuracy = 0;
  bool finite = true;  // false once a loss is NaN or infinite
};

// Owns a model and its optimizer and is the only place a training step
// happens: forward, cross-entropy loss, backward, gradient sync, schedule,
// optimizer step.
class Trainer {
 public:
  // label_smoothing: the training loss's target smoothing (0: plain
  // cross-entropy); evaluation always uses plain cross-entropy.
  Trainer(torch::nn::AnyModule model,
          std::unique_ptr<torch::optim::Optimizer> optimizer, Schedule schedule,
          int64_t total_steps, GradientSync sync = {},
          double label_smoothing = 0.0);

  // One optimisation step on a batch; returns the loss and counts the
  // correct predictions into *correct.
  double step(const at::Tensor& x, const at::Tensor& y, int64_t* correct);

  // One epoch over `data` in an order fixed by shuffle_seed (so a resumed run
  // sees the same batches); on_batch runs after each step. Stops at the first
  // non-finite loss.
  PassStats train_epoch(const TensorSet& data, int64_t batch_size,
                        uint64_t shuffle_seed,
                        const std::function<void()>& on_batch);

  // Loss and accuracy in evaluation mode, optionally with Gaussian noise of
  // the given std added to the (standardised) inputs.
  PassStats evaluate(const TensorSet& data, int64_t batch_size,
                     double noise_std = 0, uint64_t noise_seed = 0);

  // Model, optimizer, step count, RNG state and `history` in one file,
  // written atomically. load() returns the epoch saved, or nothing when the
  // file is missing or unreadable (the run then starts over).
  void save(const std::filesystem::path& path, int epoch,
            const std::string& history);
  struct Restored {
    int epoch = 0;
    std::string history;
  };
  std::optional<Restored> load(const std::filesystem::path& path);

  torch::nn::Module& module() { return *model_.ptr(); }
  torch::nn::AnyModule& model() { return model_; }
  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  torch::nn::AnyModule model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Schedule schedule_;
  int64_t total_steps_;
  int64_t steps_ = 0;
  std::vector<double> base_lr_;
  GradientSync sync_;
  double label_smoothing_ = 0.0;
};

// What the runs of an experiment train and are evaluated on (runner.hpp):
// the lab's in-memory tensors, or a streamed image folder (lab/recipe).
struct RunData {
  std::string format;  // config.json's data.format
  int64_t train_examples = 0;
  int64_t test_examples = 0;
  DataShape shape;
  // Training steps per epoch.
  std::function<int64_t(int64_t batch_size)> batches;
  // One epoch in an order fixed by shuffle_seed, on_batch after each batch;
  // stops at the first non-finite loss.
  std::function<PassStats(Trainer&, int64_t batch_size, uint64_t shuffle_seed,
                          const std::function<void()>& on_batch)>
      train_epoch;
  // The test set, with Gaussian noise of the given std on the inputs.
  std::function<PassStats(Trainer&, double noise_std, uint64_t noise_seed)>
      evaluate;
};

}  // namespace mishlab
