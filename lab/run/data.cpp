#include "run/data.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <thread>

#include "common/error.hpp"
#include "data/image_folder.hpp"
#include "data/images.hpp"
#include "data/segmentation.hpp"
#include "run/feature_cache.hpp"
#include "train/folder_batches.hpp"
#include "train/task.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

// Evaluation needs no gradients: larger batches are cheaper.
constexpr int64_t kEvalBatch = 500;

uint64_t limit(int64_t n) {
  return n > 0 ? static_cast<uint64_t>(n) : kNoLimit;
}

// FNV-1a over every pixel and label (or mask).
std::string fingerprint(
    const std::vector<const std::vector<uint8_t>*>& arrays) {
  uint64_t h = 1469598103934665603ULL;
  for (const std::vector<uint8_t>* bytes : arrays) {
    for (const uint8_t b : *bytes) h = (h ^ b) * 1099511628211ULL;
  }
  return std::to_string(h);
}

ExperimentData held_data(std::string format, std::string fingerprint,
                         TensorData tensors, const RunConfig& c) {
  ExperimentData d;
  d.format = std::move(format);
  d.fingerprint = std::move(fingerprint);
  d.shape = tensors.shape;
  d.train = std::make_unique<TensorBatches>(std::move(tensors.train),
                                            c.train.batch_size, true);
  d.test = std::make_unique<TensorBatches>(std::move(tensors.test), kEvalBatch,
                                           false);
  return d;
}

// IDX or CIFAR files: labels as targets, or the pixels to reconstruct.
ExperimentData tensor_data(const RunConfig& c, c10::Device device,
                           bool reconstruct) {
  const ExperimentSettings& e = c.experiment;
  const ImageData images =
      load_image_data(e.data, limit(e.train_limit), limit(e.test_limit));
  return held_data(images.format,
                   fingerprint({&images.train.pixels, &images.train.labels,
                                &images.test.pixels, &images.test.labels}),
                   to_tensors(images, device, reconstruct), c);
}

// Where the feature classifiers are kept: --cache, else the user's cache
// folder.
fs::path cache_folder(const RunConfig& c) {
  if (!c.experiment.cache.empty()) return c.experiment.cache;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "mish-lab";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "mish-lab";
  }
  throw Error("no folder for the feature classifier: pass --cache");
}

// The experiment's pixels (targets in [0, 1]) and the reference: the
// classifier of the whole data set (every example, whatever the limits),
// and the Gaussian of the experiment's test images in its features.
ExperimentData adversarial_data(const RunConfig& c, c10::Device device) {
  const ImageData all = load_image_data(c.experiment.data, kNoLimit, kNoLimit);
  const std::string key = fingerprint({&all.train.pixels, &all.train.labels,
                                       &all.test.pixels, &all.test.labels});
  TensorData tensors = to_tensors(all, device, true);
  for (auto [set, labels] : {std::pair{&tensors.train, &all.train.labels},
                             std::pair{&tensors.test, &all.test.labels}}) {
    set->x = set->y * 2 - 1;
    set->y = at::tensor(*labels, at::kByte).to(device, at::kLong);
  }
  auto reference = std::make_shared<FeatureReference>();
  reference->net =
      cached_feature_net(cache_folder(c) / ("classifier-" + key + ".pt"), key,
                         tensors, c.experiment.quiet);
  ExperimentData d = tensor_data(c, device, true);
  torch::NoGradGuard no_grad;
  std::vector<double> sums;
  d.test->start(0);
  while (std::optional<Batch> b = d.test->next()) {
    const std::vector<double> s =
        feature_sums(reference->net->features(b->y * 2 - 1));
    sums.resize(s.size(), 0);
    for (size_t i = 0; i < s.size(); ++i) sums[i] += s[i];
  }
  if (sums.empty() || sums[0] < 2) {
    throw Error(
        "the Fréchet distance needs at least 2 test images: raise "
        "--test-limit");
  }
  reference->test = gaussian_from_sums(sums, FeatureNetImpl::kFeatures);
  d.reference = std::move(reference);
  return d;
}

// Scenes made of an IDX data set's items; the scenes' seeds are fixed, so
// every run and activation sees the same scenes.
SegmentationData scenes(const RunConfig& c) {
  const ExperimentSettings& e = c.experiment;
  const ImageData items =
      load_image_data(e.data, limit(e.train_limit), limit(e.test_limit));
  SegmentationData d;
  d.format = "fashion-scenes";
  d.train = make_scenes(items.train, items.train.count, 1);
  d.test = make_scenes(items.test, items.test.count, 2);
  d.classes = items.classes + 1;  // background
  return d;
}

SegmentationData segmentation_folders(const RunConfig& c) {
  const ExperimentSettings& e = c.experiment;
  const fs::path root = e.data;
  SegmentationData d;
  d.format = "segmentation-folders";
  d.train =
      read_segmentation_folder(root / "train", e.size, limit(e.train_limit));
  d.test = read_segmentation_folder(root / "val", e.size, limit(e.test_limit));
  d.classes = check_classes({&d.train, &d.test}, e.classes);
  if (d.classes < 2) {
    throw Error(root.string() +
                ": the masks hold fewer than two classes; pass --classes");
  }
  return d;
}

ExperimentData segmentation_data(const RunConfig& c, c10::Device device) {
  const SegmentationData d = is_segmentation_folder(c.experiment.data)
                                 ? segmentation_folders(c)
                                 : scenes(c);
  return held_data(d.format,
                   fingerprint({&d.train.pixels, &d.train.masks, &d.test.pixels,
                                &d.test.masks}),
                   to_tensors(d, device), c);
}

ExperimentData folder_data(const RunConfig& c, c10::Device device) {
  const ExperimentSettings& e = c.experiment;
  const fs::path root = e.data;
  ImageFolder train = scan_image_folder(root / "train");
  ImageFolder val = scan_image_folder(root / "val", train.classes);
  LoaderOptions lo;
  lo.size = e.size;
  lo.batch_size = c.train.batch_size;
  lo.workers =
      e.workers > 0
          ? e.workers
          : static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
  lo.skip_bad = e.skip_bad_images;
  ExperimentData d;
  d.format = "jpeg-folders";
  d.shape = {3, e.size, e.size, static_cast<int64_t>(train.classes.size())};
  d.train = std::make_unique<FolderBatches>(
      spread_subset(std::move(train), e.train_limit), lo, device);
  lo.train = false;
  d.test = std::make_unique<FolderBatches>(
      spread_subset(std::move(val), e.test_limit), lo, device);
  return d;
}

}  // namespace

ExperimentData open_data(const RunConfig& config, c10::Device device) {
  const fs::path dir = config.experiment.data;
  if (!fs::is_directory(dir)) {
    throw Error("data folder " + dir.string() + " does not exist");
  }
  const std::string task = task_name(config.train.model);
  if (task_family(task) == "generation" && is_image_folder(dir)) {
    throw Error(dir.string() +
                ": image folders hold no tensors to "
                "generate; use IDX or CIFAR files");
  }
  ExperimentData d =
      task == "segmentation"  ? segmentation_data(config, device)
      : task == "adversarial" ? adversarial_data(config, device)
      : is_image_folder(dir)
          ? folder_data(config, device)
          : tensor_data(config, device, task == "reconstruction");
  if (d.train->examples() < 2 || d.train->batches() == 0) {
    throw Error("the training set (" + std::to_string(d.train->examples()) +
                " examples) makes no batch of --batch-size " +
                std::to_string(config.train.batch_size) +
                ": raise --train-limit or lower --batch-size");
  }
  return d;
}

DataSets::DataSets(const RunConfig& config, const std::vector<RunSpec>& runs,
                   c10::Device device) {
  if (runs.empty()) throw Error("the experiment has no runs");
  first_ = runs.front();
  for (const RunSpec& r : runs) {
    const std::string task = task_name(r.train.model);
    if (sets_.count(task)) continue;
    RunConfig c = config;
    c.train = r.train;
    sets_.emplace(task, open_data(c, device));
  }
}

ExperimentData& DataSets::of(const RunSpec& run) {
  return sets_.at(task_name(run.train.model));
}

}  // namespace mishlab
