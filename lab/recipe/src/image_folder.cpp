#include "mishlab/recipe/image_folder.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <random>
#include <sstream>

#include "mishlab/error.hpp"
#include "mishlab/recipe/image_transform.hpp"
#include "mishlab/recipe/jpeg.hpp"

namespace mishlab::recipe {
namespace fs = std::filesystem;
namespace {

bool is_jpeg_name(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg";
}

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

ImageFolder scan_image_folder(const fs::path& root,
                              const std::vector<std::string>& classes) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw Error(root.string() + ": not a folder (expected <class>/*.jpg)");
  }
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) found.push_back(entry.path().filename().string());
  }
  std::sort(found.begin(), found.end());
  ImageFolder folder;
  folder.classes = classes.empty() ? found : classes;
  for (const auto& name : found) {
    const auto it =
        std::find(folder.classes.begin(), folder.classes.end(), name);
    if (it == folder.classes.end()) {
      throw Error(root.string() + ": class folder '" + name +
                  "' is not among the training classes");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(root / name)) {
      if (entry.is_regular_file() && is_jpeg_name(entry.path())) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    const auto label = static_cast<int64_t>(it - folder.classes.begin());
    for (auto& f : files) {
      folder.files.push_back(std::move(f));
      folder.labels.push_back(label);
    }
  }
  if (folder.files.empty()) {
    throw Error(root.string() + ": no .jpg/.jpeg images in <class>/ folders");
  }
  return folder;
}

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

}  // namespace mishlab::recipe
