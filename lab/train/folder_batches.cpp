#include "train/folder_batches.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "data/image_transform.hpp"
#include "data/jpeg.hpp"

namespace mishlab {
namespace fs = std::filesystem;
namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw Error(path.string() + ": read error");
  return std::move(bytes).str();
}

// A generator per (seed, epoch, item): the same crops whatever thread
// decodes the item.
std::mt19937_64 item_rng(uint64_t seed, int64_t epoch, size_t item) {
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(epoch), static_cast<uint32_t>(item),
                    static_cast<uint32_t>(item >> 32)};
  return std::mt19937_64(seq);
}

}  // namespace

ImageFolderLoader::ImageFolderLoader(ImageFolder folder, LoaderOptions options)
    : folder_(std::move(folder)), options_(options) {
  if (options_.size < 8 || options_.batch_size < 1 || options_.workers < 1 ||
      options_.prefetch < 1) {
    throw Error(
        "image loader: size >= 8, batch size, workers and prefetch "
        ">= 1 required");
  }
  for (int i = 0; i < options_.workers; ++i)
    threads_.emplace_back([this] { work(); });
}

ImageFolderLoader::~ImageFolderLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

int64_t ImageFolderLoader::batches() const {
  const auto n = static_cast<int64_t>(folder_.files.size());
  const auto bs = options_.batch_size;
  return options_.train ? n / bs : (n + bs - 1) / bs;
}

void ImageFolderLoader::start_epoch(int64_t epoch) {
  std::vector<size_t> order(folder_.files.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (options_.train) {
    auto rng = item_rng(options_.seed, epoch, order.size());
    std::shuffle(order.begin(), order.end(), rng);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    epoch_ = epoch;
    order_ = std::move(order);
    claimed_ = consumed_ = 0;
    ready_.clear();
  }
  changed_.notify_all();
}

std::optional<ImageBatch> ImageFolderLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (epoch_ < 0 || consumed_ >= batches()) return std::nullopt;
  changed_.wait(lock, [&] { return ready_.count(consumed_) != 0; });
  Slot slot = std::move(ready_.at(consumed_));
  ready_.erase(consumed_++);
  lock.unlock();
  changed_.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

void ImageFolderLoader::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] {
      return stop_ || (epoch_ >= 0 && claimed_ < batches() &&
                       claimed_ < consumed_ + options_.prefetch);
    });
    if (stop_) return;
    const int64_t batch = claimed_++, generation = generation_;
    const int64_t epoch = epoch_;
    // Copied under the lock: start_epoch may replace order_ meanwhile.
    const auto begin = order_.begin() + batch * options_.batch_size;
    const std::vector<size_t> items(
        begin,
        begin + std::min<int64_t>(options_.batch_size, order_.end() - begin));
    lock.unlock();
    Slot slot;
    try {
      slot.batch = make_batch(items, epoch);
    } catch (...) {
      slot.error = std::current_exception();
    }
    lock.lock();
    if (generation == generation_) ready_[batch] = std::move(slot);
    changed_.notify_all();
  }
}

ImageBatch ImageFolderLoader::make_batch(const std::vector<size_t>& items,
                                         int64_t epoch) {
  const int size = options_.size;
  const size_t image_bytes = 3 * static_cast<size_t>(size) * size;
  std::vector<uint8_t> pixels(items.size() * image_bytes);
  std::vector<int64_t> labels;
  for (const size_t item : items) {
    const auto& path = folder_.files[item];
    RgbImage image;
    try {
      // Decode at >= 2x the crop so 35% crops keep detail.
      const int min_side = options_.train ? 2 * size : size + 32;
      image = decode_jpeg(read_bytes(path), path.string(), min_side);
    } catch (const Error& e) {
      if (!options_.skip_bad) throw;
      std::lock_guard<std::mutex> lock(mutex_);
      if (warned_.insert(path.string()).second) {
        std::cerr << "warning: skipping " << e.what() << "\n";
      }
      continue;
    }
    auto rng = item_rng(options_.seed, epoch, item);
    CropBox box;
    bool flip = false;
    if (options_.train) {
      box = random_resized_crop(image.width, image.height, rng);
      flip = std::bernoulli_distribution(0.5)(rng);
    } else {
      box = center_crop(image.width, image.height, size + 32, size);
    }
    resample(image, box, size, flip,
             pixels.data() + labels.size() * image_bytes);
    labels.push_back(folder_.labels[item]);
  }
  const auto n = static_cast<int64_t>(labels.size());
  ImageBatch out;
  out.images = torch::empty({n, 3, size, size}, torch::kUInt8);
  std::memcpy(out.images.data_ptr(), pixels.data(), n * image_bytes);
  out.labels = torch::tensor(labels, torch::kInt64);
  return out;
}

FolderBatches::FolderBatches(ImageFolder folder, LoaderOptions options,
                             c10::Device device)
    : examples_(static_cast<int64_t>(folder.files.size())),
      train_(options.train),
      loader_(std::move(folder), options),
      device_(device) {
  mean_ = (torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1}) * 255)
              .to(device);
  std_ = (torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1}) * 255)
             .to(device);
}

void FolderBatches::start(uint64_t seed) {
  loader_.start_epoch(train_ ? static_cast<int64_t>(seed) : 0);
}

std::optional<Batch> FolderBatches::next() {
  auto batch = loader_.next();
  if (!batch) return std::nullopt;
  const auto x =
      batch->images.to(device_, /*non_blocking=*/true).to(torch::kFloat);
  return Batch{(x - mean_) / std_, batch->labels.to(device_)};
}

}  // namespace mishlab
