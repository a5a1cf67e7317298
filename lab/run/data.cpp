#include "run/data.hpp"

#include <algorithm>
#include <limits>
#include <thread>

#include "common/error.hpp"
#include "data/image_folder.hpp"
#include "data/images.hpp"
#include "train/folder_batches.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

// Evaluation needs no gradients: larger batches are cheaper.
constexpr int64_t kEvalBatch = 500;

uint64_t limit(int64_t n) {
  return n > 0 ? static_cast<uint64_t>(n) : kNoLimit;
}

// FNV-1a over every pixel and label.
std::string fingerprint(const ImageData& images) {
  uint64_t h = 1469598103934665603ULL;
  for (const ImageSet* set : {&images.train, &images.test}) {
    for (const std::vector<uint8_t>* bytes : {&set->pixels, &set->labels}) {
      for (const uint8_t b : *bytes) h = (h ^ b) * 1099511628211ULL;
    }
  }
  return std::to_string(h);
}

ExperimentData tensor_data(const RunConfig& c, c10::Device device) {
  const ExperimentSettings& e = c.experiment;
  const ImageData images =
      load_image_data(e.data, limit(e.train_limit), limit(e.test_limit));
  TensorData tensors = to_tensors(images, device);
  ExperimentData d;
  d.format = images.format;
  d.fingerprint = fingerprint(images);
  d.shape = tensors.shape;
  d.train = std::make_unique<TensorBatches>(std::move(tensors.train),
                                            c.train.batch_size, true);
  d.test = std::make_unique<TensorBatches>(std::move(tensors.test), kEvalBatch,
                                           false);
  return d;
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
  ExperimentData d = is_image_folder(dir) ? folder_data(config, device)
                                          : tensor_data(config, device);
  if (d.train->examples() < 2 || d.train->batches() == 0) {
    throw Error("the training set (" + std::to_string(d.train->examples()) +
                " examples) makes no batch of --batch-size " +
                std::to_string(config.train.batch_size) +
                ": raise --train-limit or lower --batch-size");
  }
  return d;
}

}  // namespace mishlab
