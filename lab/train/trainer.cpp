#include "train/trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "train/autocast.hpp"
#include "train/settings.hpp"

namespace mishlab {

std::vector<std::string> precisions() { return {"float32", "bf16"}; }

Trainer::Trainer(torch::nn::AnyModule model,
                 std::unique_ptr<torch::optim::Optimizer> optimizer,
                 Schedule schedule, int64_t total_steps, TrainerOptions options)
    : model_(std::move(model)),
      optimizer_(std::move(optimizer)),
      schedule_(std::move(schedule)),
      total_steps_(std::max<int64_t>(total_steps, 1)),
      options_(options) {
  for (auto& group : optimizer_->param_groups()) {
    base_lr_.push_back(group.options().get_lr());
  }
}

at::Tensor Trainer::forward(const at::Tensor& x) {
  if (!options_.bf16 || !x.is_cuda()) return model_.forward(x);
  const CudaBf16Autocast autocast;
  // A channels-last input makes the convolutions pick channels-last kernels.
  return model_.forward(x.contiguous(at::MemoryFormat::ChannelsLast))
      .to(at::kFloat);
}

double Trainer::step(const Batch& batch, int64_t* correct) {
  const double scale = schedule_ ? schedule_(static_cast<double>(steps_) /
                                             static_cast<double>(total_steps_))
                                 : 1.0;
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].options().set_lr(base_lr_[i] * scale);
  }
  optimizer_->zero_grad();
  const at::Tensor logits = forward(batch.x);
  const at::Tensor loss = at::cross_entropy_loss(
      logits, batch.y, {}, at::Reduction::Mean, -100, options_.label_smoothing);
  const double value = loss.item<double>();
  if (!std::isfinite(value)) return value;
  loss.backward();
  // The gradients of this process are complete here, before the update.
  optimizer_->step();
  ++steps_;
  *correct += logits.argmax(1).eq(batch.y).sum().item<int64_t>();
  return value;
}

namespace {

PassStats pass_stats(double loss_sum, int64_t correct, int64_t seen) {
  PassStats stats;
  const auto n = static_cast<double>(seen);
  stats.loss = seen ? loss_sum / n : NAN;
  stats.accuracy = seen ? static_cast<double>(correct) / n : NAN;
  return stats;
}

}  // namespace

PassStats Trainer::train_epoch(BatchSource& data, uint64_t seed,
                               const std::function<void()>& on_batch) {
  model_.ptr()->train();
  data.start(seed);
  int64_t correct = 0;
  int64_t seen = 0;
  double loss_sum = 0;
  while (std::optional<Batch> batch = data.next()) {
    const int64_t n = batch->y.size(0);
    if (n >= 2) {
      const double loss = step(*batch, &correct);
      if (!std::isfinite(loss)) {
        PassStats stats = pass_stats(loss_sum, correct, seen);
        stats.finite = false;
        return stats;
      }
      loss_sum += loss * static_cast<double>(n);
      seen += n;
    }
    if (on_batch) on_batch();
  }
  return pass_stats(loss_sum, correct, seen);
}

PassStats Trainer::evaluate(BatchSource& data, double noise_std,
                            uint64_t noise_seed) {
  torch::NoGradGuard no_grad;
  model_.ptr()->eval();
  data.start(0);
  at::Generator gen = at::detail::createCPUGenerator(noise_seed);
  int64_t correct = 0;
  int64_t seen = 0;
  double loss_sum = 0;
  while (std::optional<Batch> batch = data.next()) {
    at::Tensor x = batch->x;
    if (x.size(0) == 0) continue;
    if (noise_std > 0) {
      x = x + at::randn(x.sizes(), gen, at::TensorOptions(at::kFloat))
                  .to(x.device())
                  .mul_(noise_std);
    }
    const at::Tensor logits = forward(x);
    loss_sum += at::cross_entropy_loss(logits, batch->y, {}, at::Reduction::Sum)
                    .item<double>();
    correct += logits.argmax(1).eq(batch->y).sum().item<int64_t>();
    seen += x.size(0);
  }
  PassStats stats = pass_stats(loss_sum, correct, seen);
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

}  // namespace mishlab
