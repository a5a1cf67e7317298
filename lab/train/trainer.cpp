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
  if (Group* g = options_.group) {
    std::vector<at::Tensor> state = model_.ptr()->parameters();
    for (const at::Tensor& b : model_.ptr()->buffers()) state.push_back(b);
    g->broadcast(state);
  }
}

Group::Part Trainer::part(int64_t n) const {
  return options_.group ? options_.group->part(n) : Group::Part{0, n};
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
  const int64_t n = batch.y.size(0);
  const Group::Part mine = part(n);
  const at::Tensor y = batch.y.narrow(0, mine.first, mine.count);
  const at::Tensor logits = forward(batch.x.narrow(0, mine.first, mine.count));
  at::Tensor loss = at::cross_entropy_loss(logits, y, {}, at::Reduction::Mean,
                                           -100, options_.label_smoothing);
  double value = loss.item<double>();
  int64_t right = logits.argmax(1).eq(y).sum().item<int64_t>();
  if (Group* g = options_.group) {
    // The global batch's loss and count on every rank, so that all of them
    // take the same decision on a non-finite loss.
    std::vector<double> sums = {value * static_cast<double>(mine.count),
                                static_cast<double>(right)};
    g->sum(sums);
    value = sums[0] / static_cast<double>(n);
    right = static_cast<int64_t>(sums[1]);
    // Weighted by this rank's share: the mean of the ranks' gradients is
    // then the gradient of the global batch's mean loss.
    loss = loss * (static_cast<double>(mine.count * g->size()) /
                   static_cast<double>(n));
  }
  if (!std::isfinite(value)) return value;
  loss.backward();
  // The gradients of this process are complete here, before the update.
  if (Group* g = options_.group) g->average_gradients(*model_.ptr());
  optimizer_->step();
  ++steps_;
  *correct += right;
  return value;
}

Trainer::Sums Trainer::measure(const at::Tensor& x, const at::Tensor& y) {
  torch::NoGradGuard no_grad;
  const Group::Part mine = part(y.size(0));
  Sums s;
  if (mine.count > 0) {
    const at::Tensor my_y = y.narrow(0, mine.first, mine.count);
    const at::Tensor logits = forward(x.narrow(0, mine.first, mine.count));
    s.loss = at::cross_entropy_loss(logits, my_y, {}, at::Reduction::Sum)
                 .item<double>();
    s.correct = logits.argmax(1).eq(my_y).sum().item<int64_t>();
  }
  if (Group* g = options_.group) {
    std::vector<double> sums = {s.loss, static_cast<double>(s.correct)};
    g->sum(sums);
    s = {sums[0], static_cast<int64_t>(sums[1])};
  }
  return s;
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
    if (n >= 2 * (options_.group ? options_.group->size() : 1)) {
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
    // The noise is drawn for the whole batch, as on one process.
    const Sums sums = measure(x, batch->y);
    loss_sum += sums.loss;
    correct += sums.correct;
    seen += x.size(0);
  }
  PassStats stats = pass_stats(loss_sum, correct, seen);
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

}  // namespace mishlab
