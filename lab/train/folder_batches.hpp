#pragma once

// JPEG image folders (data/image_folder.hpp) decoded in worker threads a few
// batches ahead of the training loop, as a BatchSource.

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "data/image_folder.hpp"
#include "train/batches.hpp"

namespace mishlab {

struct ImageBatch {
  torch::Tensor images;  // uint8, N x 3 x size x size
  torch::Tensor labels;  // int64, N
};

struct LoaderOptions {
  int size = 128;
  int64_t batch_size = 64;
  // Training: shuffled, random-resized crops (scale 0.35-1) and flips,
  // the last partial batch dropped. Otherwise: in order, the shorter side
  // resized to size + 32 and the centre cropped.
  bool train = true;
  int workers = 2;
  int prefetch = 4;       // batches decoded ahead of the consumer
  bool skip_bad = false;  // warn and skip undecodable files, else fail
  uint64_t seed = 0;
};

class ImageFolderLoader {
 public:
  ImageFolderLoader(ImageFolder folder, LoaderOptions options);
  ~ImageFolderLoader();
  ImageFolderLoader(const ImageFolderLoader&) = delete;
  ImageFolderLoader& operator=(const ImageFolderLoader&) = delete;

  int64_t batches() const;

  // Starts decoding the batches of `epoch` (its shuffle and crops follow
  // from seed and epoch, whatever the number of workers).
  void start_epoch(int64_t epoch);
  // The epoch's next batch, std::nullopt after the last; rethrows the
  // error of a file that failed to decode.
  std::optional<ImageBatch> next();

 private:
  struct Slot {
    ImageBatch batch;
    std::exception_ptr error;
  };
  void work();
  ImageBatch make_batch(const std::vector<size_t>& items, int64_t epoch);

  ImageFolder folder_;
  LoaderOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  int64_t generation_ = 0;
  int64_t epoch_ = -1;
  std::vector<size_t> order_;
  int64_t claimed_ = 0;
  int64_t consumed_ = 0;
  std::map<int64_t, Slot> ready_;
  std::set<std::string> warned_;
  std::vector<std::thread> threads_;
};

// The loader's batches as float tensors on the training device,
// standardised with the ImageNet channel statistics (what the Imagenette
// recipe uses). Training passes shuffle and crop by their seed; evaluation
// passes keep the order.
class FolderBatches : public BatchSource {
 public:
  FolderBatches(ImageFolder folder, LoaderOptions options, c10::Device device);

  int64_t examples() const override { return examples_; }
  int64_t batches() const override { return loader_.batches(); }
  void start(uint64_t seed) override;
  std::optional<Batch> next() override;

 private:
  int64_t examples_;
  bool train_;
  ImageFolderLoader loader_;
  c10::Device device_;
  torch::Tensor mean_, std_;
};

}  // namespace mishlab
