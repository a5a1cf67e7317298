#include "mishlab/recipe/folder_run.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>

#include "mishlab/error.hpp"
#include "mishlab/recipe/image_folder.hpp"
#include "mishlab/trainer.hpp"

namespace mishlab::recipe {
namespace fs = std::filesystem;

namespace {

// uint8 NCHW -> float, standardised with the ImageNet channel statistics
// (what the Imagenette recipe uses), on the training device.
torch::Tensor standardise(const torch::Tensor& images, c10::Device device) {
  static const auto mean =
      torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1}) * 255;
  static const auto std =
      torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1}) * 255;
  const auto x = images.to(device, /*non_blocking=*/true).to(torch::kFloat);
  return (x - mean.to(device)) / std.to(device);
}

PassStats evaluate(Trainer& trainer, ImageFolderLoader& val,
                   c10::Device device) {
  torch::NoGradGuard no_grad;
  trainer.module().eval();
  val.start_epoch(0);
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  while (auto batch = val.next()) {
    if (batch->labels.size(0) == 0) continue;
    const auto y = batch->labels.to(device);
    const auto logits =
        trainer.model().forward(standardise(batch->images, device));
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(
                        torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    seen += y.size(0);
  }
  PassStats stats;
  stats.loss = seen ? loss_sum / static_cast<double>(seen) : NAN;
  stats.accuracy =
      seen ? static_cast<double>(correct) / static_cast<double>(seen) : NAN;
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

// One epoch of the loader's batches; BatchNorm cannot train on one example,
// so such a batch only counts for the progress.
PassStats train_epoch(Trainer& trainer, ImageFolderLoader& train,
                      c10::Device device, uint64_t seed,
                      const std::function<void()>& on_batch) {
  trainer.module().train();
  train.start_epoch(static_cast<int64_t>(seed));
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  PassStats stats;
  while (auto batch = train.next()) {
    const int64_t n = batch->labels.size(0);
    on_batch();
    if (n < 2) continue;
    const double loss = trainer.step(standardise(batch->images, device),
                                     batch->labels.to(device), &correct);
    if (!std::isfinite(loss)) {
      stats.finite = false;
      break;
    }
    loss_sum += loss * static_cast<double>(n);
    seen += n;
  }
  const auto n = static_cast<double>(std::max<int64_t>(seen, 1));
  stats.loss = loss_sum / n;
  stats.accuracy = static_cast<double>(correct) / n;
  return stats;
}

}  // namespace

bool is_image_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "train", ec) &&
         fs::is_directory(dir / "val", ec);
}

Outcome run_folder_experiment(const Experiment& e, const RecipeSettings& r) {
  const auto open = [&](c10::Device device) {
    const fs::path root = e.options.data;
    ImageFolder train_folder = scan_image_folder(root / "train");
    ImageFolder val_folder =
        scan_image_folder(root / "val", train_folder.classes);
    RunData d;
    d.format = "jpeg-folders";
    d.train_examples = static_cast<int64_t>(train_folder.files.size());
    d.test_examples = static_cast<int64_t>(val_folder.files.size());
    d.shape = {3, r.size, r.size,
               static_cast<int64_t>(train_folder.classes.size())};
    LoaderOptions lo;
    lo.size = r.size;
    // Every run of an experiment has the same batch size.
    lo.batch_size = e.runs.empty() ? 64 : e.runs.front().batch_size;
    lo.workers = r.workers > 0 ? r.workers
                               : static_cast<int>(std::max(
                                     2U, std::thread::hardware_concurrency()));
    lo.skip_bad = r.skip_bad;
    const auto train =
        std::make_shared<ImageFolderLoader>(std::move(train_folder), lo);
    lo.train = false;
    const auto val =
        std::make_shared<ImageFolderLoader>(std::move(val_folder), lo);
    d.batches = [train](int64_t) { return train->batches(); };
    d.train_epoch = [train, device](Trainer& trainer, int64_t, uint64_t seed,
                                    const std::function<void()>& on_batch) {
      return train_epoch(trainer, *train, device, seed, on_batch);
    };
    d.evaluate = [val, device](Trainer& trainer, double noise_std, uint64_t) {
      if (noise_std != 0) throw Error("input noise needs in-memory data");
      return evaluate(trainer, *val, device);
    };
    return d;
  };
  return run_experiment(e, open, {{"recipe", r}});
}

}  // namespace mishlab::recipe
