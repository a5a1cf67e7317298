#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/container/any.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "train/batches.hpp"
#include "train/distributed.hpp"
#include "train/schedules.hpp"
#include "train/task.hpp"

namespace mishlab {

class DcganImpl;

struct PassStats {
  double loss = 0;              // mean over the examples seen; NaN when none
  std::vector<double> metrics;  // the task's, in its order; NaN when none
  bool finite = true;           // false once a loss is NaN or infinite
};

struct TrainerOptions {
  // The training loss's target smoothing (0: plain cross-entropy);
  // evaluation always uses plain cross-entropy.
  double label_smoothing = 0;
  // On CUDA inputs: bfloat16 autocast and channels-last inputs (tensor
  // cores). CPU inputs always run in float32, NCHW.
  bool bf16 = false;
  // Data-parallel training over this process group (outlives the trainer);
  // none: one process.
  Group* group = nullptr;
  // What the model learns (train/task.hpp); none: classification.
  std::shared_ptr<const Task> task = nullptr;
};

// Owns a model and its optimizer and is the only place a training step
// happens: forward, loss, backward, gradient average, schedule, optimizer
// step.
//
// Data-parallel (options.group): every rank is given the same global batch
// and computes on its own part of it; its loss is weighted by its share, so
// that the averaged gradient is the global batch's and results do not
// depend on the number of processes beyond floating-point order and
// per-rank batch-norm statistics. Parameters start as rank 0's; losses and
// counts are the global batch's on every rank.
class Trainer {
 public:
  Trainer(torch::nn::AnyModule model,
          std::unique_ptr<torch::optim::Optimizer> optimizer, Schedule schedule,
          int64_t total_steps, TrainerOptions options = {});

  // One optimisation step on a (global) batch; returns its mean loss and
  // adds the task's counts of the batch to *counts (sized on first use).
  double step(const Batch& batch, std::vector<double>* counts);

  // The GAN's step, the one exception to step(): one optimizer over both
  // networks updates the discriminator on the batch's real images (y, in
  // [0, 1]) against as many generated ones, then the generator through the
  // updated discriminator. Returns the generator's loss and adds the task's
  // counts of the generated images. One process only.
  double adversarial_step(const Batch& batch, std::vector<double>* counts);

  // The loss summed over what it averages (Task::loss_weight), that
  // weight, and the task's counts on a (global) batch in the current mode,
  // without gradients.
  struct Sums {
    double loss = 0;
    double weight = 0;
    std::vector<double> counts;
  };
  Sums measure(const at::Tensor& x, const at::Tensor& y);

  // One pass over `data` in training mode, ordered by `seed`, with step()
  // or, for a DCGAN, adversarial_step(); on_batch runs after each batch. A
  // batch with less than two examples per process is skipped (batch norm cannot
  // train on one). Stops at the first non-finite loss.
  PassStats train_epoch(BatchSource& data, uint64_t seed,
                        const std::function<void()>& on_batch);

  // Loss and metrics in evaluation mode, optionally with Gaussian noise of
  // the given std added to the (standardised) inputs.
  PassStats evaluate(BatchSource& data, double noise_std = 0,
                     uint64_t noise_seed = 0);

  // Optimizer steps taken so far: what the schedule's progress counts, and
  // what a checkpoint restores.
  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }

  torch::nn::Module& module() { return *model_.ptr(); }
  Group* group() const { return options_.group; }
  const Task& task() const { return *options_.task; }
  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  at::Tensor forward(const at::Tensor& x);
  // Sets the learning rates for the step about to be taken.
  void apply_schedule();
  // This process's rows of a global batch of n (all of them alone).
  Group::Part part(int64_t n) const;
  // Sums `values` over the ranks (a no-op alone).
  void sum(std::vector<double>& values) const;
  // The loss is loss_sum / weight (0 when nothing was weighed in `seen`
  // examples, NaN without examples).
  PassStats pass_stats(double loss_sum, double weight,
                       const std::vector<double>& counts, int64_t seen) const;

  torch::nn::AnyModule model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Schedule schedule_;
  int64_t total_steps_;
  int64_t steps_ = 0;
  std::vector<double> base_lr_;
  TrainerOptions options_;
  DcganImpl* adversarial_ = nullptr;  // the model, when it is a DCGAN
};

}  // namespace mishlab
