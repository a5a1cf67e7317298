#include "mishlab/trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace mishlab {

namespace {

TensorSet to_tensor_set(const ImageSet& set) {
  TensorSet t;
  // from_blob does not own the pixels: the conversion copies them.
  t.x =
      at::from_blob(const_cast<uint8_t*>(set.pixels.data()),
                    {set.count, set.channels, set.height, set.width}, at::kByte)
          .to(at::kFloat)
          .div_(255);
  t.y = at::from_blob(const_cast<uint8_t*>(set.labels.data()), {set.count},
                      at::kByte)
            .to(at::kLong);
  return t;
}

}  // namespace

TensorData to_tensors(const ImageData& data, c10::Device device) {
  TensorData out;
  out.train = to_tensor_set(data.train);
  out.test = to_tensor_set(data.test);
  const at::Tensor mean = out.train.x.mean({0, 2, 3}, true);
  const at::Tensor std = out.train.x.std({0, 2, 3}, true, true).clamp_min(1e-6);
  for (TensorSet* s : {&out.train, &out.test}) {
    s->x = ((s->x - mean) / std).to(device);
    s->y = s->y.to(device);
  }
  out.shape = {data.train.channels, data.train.height, data.train.width,
               data.classes};
  return out;
}

Trainer::Trainer(torch::nn::AnyModule model,
                 std::unique_ptr<torch::optim::Optimizer> optimizer,
                 Schedule schedule, int64_t total_steps, GradientSync sync,
                 double label_smoothing)
    : model_(std::move(model)),
      optimizer_(std::move(optimizer)),
      schedule_(std::move(schedule)),
      total_steps_(std::max<int64_t>(total_steps, 1)),
      sync_(std::move(sync)),
      label_smoothing_(label_smoothing) {
  for (auto& group : optimizer_->param_groups()) {
    base_lr_.push_back(group.options().get_lr());
  }
}

double Trainer::step(const at::Tensor& x, const at::Tensor& y,
                     int64_t* correct) {
  const double scale = schedule_ ? schedule_(static_cast<double>(steps_) /
                                             static_cast<double>(total_steps_))
                                 : 1.0;
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].options().set_lr(base_lr_[i] * scale);
  }
  optimizer_->zero_grad();
  const at::Tensor logits = model_.forward(x);
  const at::Tensor loss = at::cross_entropy_loss(
      logits, y, {}, at::Reduction::Mean, -100, label_smoothing_);
  const double value = loss.item<double>();
  if (!std::isfinite(value)) return value;
  loss.backward();
  if (sync_) sync_(*model_.ptr());
  optimizer_->step();
  ++steps_;
  *correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  return value;
}

PassStats Trainer::train_epoch(const TensorSet& data, int64_t batch_size,
                               uint64_t shuffle_seed,
                               const std::function<void()>& on_batch) {
  model_.ptr()->train();
  std::vector<int64_t> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(shuffle_seed);
  std::shuffle(order.begin(), order.end(), rng);
  const at::Tensor index = at::tensor(order, at::kLong).to(data.x.device());
  PassStats stats;
  int64_t correct = 0;
  int64_t seen = 0;
  double loss_sum = 0;
  for (int64_t begin = 0; begin < data.size(); begin += batch_size) {
    const int64_t n = std::min(batch_size, data.size() - begin);
    // Batch norm cannot train on a single example: skip such a remainder.
    if (n < 2) break;
    const at::Tensor idx = index.narrow(0, begin, n);
    const double loss = step(data.x.index_select(0, idx),
                             data.y.index_select(0, idx), &correct);
    if (!std::isfinite(loss)) {
      stats.finite = false;
      break;
    }
    loss_sum += loss * static_cast<double>(n);
    seen += n;
    if (on_batch) on_batch();
  }
  stats.loss = seen ? loss_sum / static_cast<double>(seen) : NAN;
  stats.accuracy =
      seen ? static_cast<double>(correct) / static_cast<double>(seen) : NAN;
  return stats;
}

PassStats Trainer::evaluate(const TensorSet& data, int64_t batch_size,
                            double noise_std, uint64_t noise_seed) {
  torch::NoGradGuard no_grad;
  model_.ptr()->eval();
  at::Generator gen = at::detail::createCPUGenerator(noise_seed);
  int64_t correct = 0;
  double loss_sum = 0;
  for (int64_t begin = 0; begin < data.size(); begin += batch_size) {
    const int64_t n = std::min(batch_size, data.size() - begin);
    at::Tensor x = data.x.narrow(0, begin, n);
    if (noise_std > 0) {
      x = x + at::randn(x.sizes(), gen, at::TensorOptions(at::kFloat))
                  .to(x.device())
                  .mul_(noise_std);
    }
    const at::Tensor y = data.y.narrow(0, begin, n);
    const at::Tensor logits = model_.forward(x);
    loss_sum += at::cross_entropy_loss(logits, y, {}, at::Reduction::Sum)
                    .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  PassStats stats;
  const double total = static_cast<double>(data.size());
  stats.loss = loss_sum / total;
  stats.accuracy = static_cast<double>(correct) / total;
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

void Trainer::save(const std::filesystem::path& path, int epoch,
                   const std::string& history) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  model_.ptr()->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer_->save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("epoch", at::tensor(static_cast<int64_t>(epoch)));
  archive.write("steps", at::tensor(steps_));
  archive.write("history",
                at::tensor(std::vector<uint8_t>(history.begin(), history.end()),
                           at::kByte));
  // Dropout and RReLU draw from the default generator: restoring it makes a
  // resumed run continue as if never stopped.
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  const std::filesystem::path tmp = path.string() + ".tmp";
  archive.save_to(tmp.string());
  std::filesystem::rename(tmp, path);
}

std::optional<Trainer::Restored> Trainer::load(
    const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    const c10::Device device = model_.ptr()->parameters().front().device();
    torch::serialize::InputArchive archive;
    archive.load_from(path.string(), device);
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model_.ptr()->load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer_->load(optimizer_archive);
    at::Tensor epoch, steps, history, rng;
    archive.read("epoch", epoch);
    archive.read("steps", steps);
    archive.read("history", history);
    archive.read("rng", rng);
    steps_ = steps.item<int64_t>();
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng.cpu());
    const at::Tensor bytes = history.cpu().contiguous();
    const auto* p = bytes.data_ptr<uint8_t>();
    return Restored{static_cast<int>(epoch.item<int64_t>()),
                    std::string(p, p + bytes.numel())};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace mishlab
