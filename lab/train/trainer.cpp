#include "train/trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/error.hpp"
#include "train/autocast.hpp"
#include "train/dcgan.hpp"
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
      options_(std::move(options)) {
  if (!options_.task) options_.task = task_for_model("", 0);
  adversarial_ = dynamic_cast<DcganImpl*>(model_.ptr().get());
  if (adversarial_ && options_.group) {
    throw Error(
        "the DCGAN trains on one process: its alternating step is not "
        "data-parallel");
  }
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

void Trainer::sum(std::vector<double>& values) const {
  if (options_.group) options_.group->sum(values);
}

namespace {

void add_to(std::vector<double>& total, const std::vector<double>& counts) {
  total.resize(counts.size(), 0);
  for (size_t i = 0; i < counts.size(); ++i) total[i] += counts[i];
}

}  // namespace

at::Tensor Trainer::forward(const at::Tensor& x) {
  if (!options_.bf16 || !x.is_cuda()) return model_.forward(x);
  const CudaBf16Autocast autocast;
  // A channels-last input makes the convolutions pick channels-last kernels.
  return model_.forward(x.contiguous(at::MemoryFormat::ChannelsLast))
      .to(at::kFloat);
}

void Trainer::apply_schedule() {
  const double scale = schedule_ ? schedule_(static_cast<double>(steps_) /
                                             static_cast<double>(total_steps_))
                                 : 1.0;
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].options().set_lr(base_lr_[i] * scale);
  }
}

double Trainer::step(const Batch& batch, std::vector<double>* counts) {
  apply_schedule();
  optimizer_->zero_grad();
  const int64_t n = batch.y.size(0);
  const Group::Part mine = part(n);
  const at::Tensor y = batch.y.narrow(0, mine.first, mine.count);
  const at::Tensor out = forward(batch.x.narrow(0, mine.first, mine.count));
  at::Tensor loss = options_.task->loss(out, y, options_.label_smoothing);
  // The batch's loss summed over what it averages (examples, labelled
  // pixels), that count, then the task's counts.
  const double weight = options_.task->loss_weight(y);
  std::vector<double> sums = {weight > 0 ? loss.item<double>() * weight : 0,
                              weight};
  {
    torch::NoGradGuard no_grad;
    const std::vector<double> c = options_.task->counts(out, y);
    sums.insert(sums.end(), c.begin(), c.end());
  }
  // The global batch's loss and counts on every rank, so that all of them
  // take the same decision on a non-finite loss.
  sum(sums);
  const double value = sums[1] > 0 ? sums[0] / sums[1] : 0;
  if (Group* g = options_.group) {
    // Weighted by this rank's share of what the loss averages: the mean of
    // the ranks' gradients is then the gradient of the global batch's loss.
    loss =
        loss *
        (sums[1] > 0 ? weight * static_cast<double>(g->size()) / sums[1] : 0.0);
  }
  if (!std::isfinite(value)) return value;
  loss.backward();
  // The gradients of this process are complete here, before the update.
  if (Group* g = options_.group) g->average_gradients(*model_.ptr());
  optimizer_->step();
  ++steps_;
  add_to(*counts, std::vector<double>(sums.begin() + 2, sums.end()));
  return value;
}

namespace {

// Optimizers skip parameters without a gradient: with one optimizer over
// both networks, this picks which network a step updates.
void drop_gradients(torch::nn::Module& module) {
  for (at::Tensor& p : module.parameters()) p.mutable_grad() = at::Tensor();
}

}  // namespace

double Trainer::adversarial_step(const Batch& batch,
                                 std::vector<double>* counts) {
  apply_schedule();
  DcganImpl& gan = *adversarial_;
  const Task& task = *options_.task;
  // The images in the generator's range, [-1, 1].
  const at::Tensor real = batch.y * 2 - 1;
  const int64_t n = real.size(0);
  const at::Tensor ones = at::ones({n}, real.options());
  const at::Tensor zeros = at::zeros({n}, real.options());
  const at::Tensor fake = gan.generate(n);
  // The discriminator: real images against generated ones (the generator
  // gets no gradient through the detached images).
  drop_gradients(gan);
  const at::Tensor d_loss = task.loss(gan.discriminate(real), ones) +
                            task.loss(gan.discriminate(fake.detach()), zeros);
  if (const double d = d_loss.item<double>(); !std::isfinite(d)) return d;
  d_loss.backward();
  optimizer_->step();
  // The generator: its images taken for real by the updated discriminator
  // (the non-saturating loss), which this step leaves as it is.
  drop_gradients(gan);
  const at::Tensor g_loss = task.loss(gan.discriminate(fake), ones);
  const double value = g_loss.item<double>();
  if (!std::isfinite(value)) return value;
  g_loss.backward();
  drop_gradients(gan.discriminator());
  optimizer_->step();
  ++steps_;
  torch::NoGradGuard no_grad;
  add_to(*counts, task.counts(fake, batch.y));
  return value;
}

Trainer::Sums Trainer::measure(const at::Tensor& x, const at::Tensor& y) {
  torch::NoGradGuard no_grad;
  const Group::Part mine = part(y.size(0));
  // Every rank sends counts of the same length, even with no rows.
  const at::Tensor my_y = y.narrow(0, mine.first, mine.count);
  const at::Tensor out = forward(x.narrow(0, mine.first, mine.count));
  // Generated images are scored by the discriminator, as real: the
  // generator's loss.
  const at::Tensor scored =
      adversarial_ ? adversarial_->discriminate(out) : out;
  const at::Tensor target = adversarial_ ? at::ones_like(scored) : my_y;
  const double weight = options_.task->loss_weight(my_y);
  std::vector<double> sums = {
      weight > 0 ? options_.task->loss(scored, target).item<double>() * weight
                 : 0.0,
      weight};
  const std::vector<double> counts = options_.task->counts(out, my_y);
  sums.insert(sums.end(), counts.begin(), counts.end());
  sum(sums);
  return {sums[0], sums[1], std::vector<double>(sums.begin() + 2, sums.end())};
}

PassStats Trainer::pass_stats(double loss_sum, double weight,
                              const std::vector<double>& counts,
                              int64_t seen) const {
  PassStats stats;
  stats.loss = weight > 0 ? loss_sum / weight : seen ? 0 : NAN;
  stats.metrics =
      seen ? options_.task->values(counts)
           : std::vector<double>(options_.task->metrics().size(), NAN);
  return stats;
}

PassStats Trainer::train_epoch(BatchSource& data, uint64_t seed,
                               const std::function<void()>& on_batch) {
  model_.ptr()->train();
  data.start(seed);
  std::vector<double> counts;
  int64_t seen = 0;
  double loss_sum = 0;
  while (std::optional<Batch> batch = data.next()) {
    const int64_t n = batch->y.size(0);
    if (n >= 2 * (options_.group ? options_.group->size() : 1)) {
      const double loss = adversarial_ ? adversarial_step(*batch, &counts)
                                       : step(*batch, &counts);
      if (!std::isfinite(loss)) {
        PassStats stats =
            pass_stats(loss_sum, static_cast<double>(seen), counts, seen);
        stats.finite = false;
        return stats;
      }
      loss_sum += loss * static_cast<double>(n);
      seen += n;
    }
    if (on_batch) on_batch();
  }
  return pass_stats(loss_sum, static_cast<double>(seen), counts, seen);
}

PassStats Trainer::evaluate(BatchSource& data, double noise_std,
                            uint64_t noise_seed) {
  torch::NoGradGuard no_grad;
  model_.ptr()->eval();
  data.start(0);
  at::Generator gen = at::detail::createCPUGenerator(noise_seed);
  std::vector<double> counts;
  int64_t seen = 0;
  double loss_sum = 0;
  double weight = 0;
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
    weight += sums.weight;
    add_to(counts, sums.counts);
    seen += x.size(0);
  }
  PassStats stats = pass_stats(loss_sum, weight, counts, seen);
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

}  // namespace mishlab
