// Image folders in the ImageNet layout (train/<class>/*.jpg,
// val/<class>/*.jpg), as Imagenette and ImageWoof ship them, decoded in
// worker threads a few batches ahead of the training loop.
#pragma once

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

namespace mishlab::recipe {

struct ImageFolder {
  std::vector<std::string> classes;
  std::vector<std::filesystem::path> files;
  std::vector<int64_t> labels;  // index into classes, per file
};

// Lists root/<class>/*.{jpg,jpeg} (any case), sorted. With `classes` given,
// uses that order and rejects other class folders (val must match train).
// Throws mishlab::Error when root is missing or holds no images.
ImageFolder scan_image_folder(const std::filesystem::path& root,
                              const std::vector<std::string>& classes = {});

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

}  // namespace mishlab::recipe
