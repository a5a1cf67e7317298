#include <algorithm>
#include <optional>

#include "common/error.hpp"
#include "data/images.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

// MNIST, Fashion-MNIST and KMNIST: ten classes, labels 0 to 9.
constexpr int64_t kIdxClasses = 10;

// A label beyond the class count would silently add output classes.
void check_labels(const ImageSet& set, int64_t classes, const fs::path& file) {
  for (size_t i = 0; i < set.labels.size(); ++i) {
    if (set.labels[i] >= classes) {
      throw Error(file.string() + ": record " + std::to_string(i) +
                  " has label " + std::to_string(set.labels[i]) +
                  ", outside 0.." + std::to_string(classes - 1) +
                  " (MNIST-style IDX data has " + std::to_string(classes) +
                  " classes)");
    }
  }
}

// "train-images-idx3-ubyte" or its .gz, whichever is there.
std::optional<fs::path> find_plain_or_gz(const fs::path& dir,
                                         const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    if (fs::is_regular_file(dir / name)) return dir / name;
  }
  return std::nullopt;
}

std::optional<ImageData> load_idx(const fs::path& dir, uint64_t train_limit,
                                  uint64_t test_limit) {
  const auto train_img = find_plain_or_gz(dir, "train-images-idx3-ubyte");
  if (!train_img) return std::nullopt;
  const auto need = [&](const std::string& stem) {
    auto p = find_plain_or_gz(dir, stem);
    if (!p) throw Error((dir / stem).string() + "[.gz] is missing");
    return *p;
  };
  const fs::path train_lab = need("train-labels-idx1-ubyte");
  const fs::path test_img = need("t10k-images-idx3-ubyte");
  const fs::path test_lab = need("t10k-labels-idx1-ubyte");
  const auto pair = [](const fs::path& img, const fs::path& lab,
                       uint64_t limit) {
    ByteStream images = ByteStream::open_file(img);
    ByteStream labels = ByteStream::open_file(lab);
    ImageSet set = read_idx_pair(images, labels, limit);
    check_labels(set, kIdxClasses, lab);
    return set;
  };
  ImageData data;
  data.format = "idx";
  data.classes = kIdxClasses;
  data.train = pair(*train_img, train_lab, train_limit);
  data.test = pair(test_img, test_lab, test_limit);
  return data;
}

std::optional<ImageData> load_cifar(const fs::path& dir, uint64_t train_limit,
                                    uint64_t test_limit) {
  std::vector<fs::path> train_files;
  fs::path test_file;
  CifarKind kind = CifarKind::k10;
  if (fs::is_regular_file(dir / "data_batch_1.bin")) {
    for (int i = 1; i <= 5; ++i) {
      const fs::path p = dir / ("data_batch_" + std::to_string(i) + ".bin");
      if (fs::is_regular_file(p)) train_files.push_back(p);
    }
    test_file = dir / "test_batch.bin";
  } else if (fs::is_regular_file(dir / "train.bin")) {
    kind = CifarKind::k100;
    train_files.push_back(dir / "train.bin");
    test_file = dir / "test.bin";
  } else {
    return std::nullopt;
  }
  if (!fs::is_regular_file(test_file)) {
    throw Error(test_file.string() + " is missing");
  }
  ImageData data;
  data.format = kind == CifarKind::k10 ? "cifar10" : "cifar100";
  data.classes = kind == CifarKind::k10 ? 10 : 100;
  for (const fs::path& p : train_files) {
    ByteStream in = ByteStream::open_file(p);
    read_cifar(in, kind, train_limit, data.train);
  }
  ByteStream in = ByteStream::open_file(test_file);
  read_cifar(in, kind, test_limit, data.test);
  return data;
}

void check_usable(const ImageData& data, const fs::path& dir) {
  if (data.train.count == 0 || data.test.count == 0) {
    throw Error("no examples in the training or test set of " + dir.string());
  }
  if (data.train.height != data.test.height ||
      data.train.width != data.test.width ||
      data.train.channels != data.test.channels) {
    throw Error("training and test images in " + dir.string() +
                " differ in size");
  }
  if (data.train.height < 4 || data.train.width < 4) {
    throw Error("images in " + dir.string() + " are smaller than 4x4");
  }
}

}  // namespace

ImageData load_image_data(const fs::path& dir, uint64_t train_limit,
                          uint64_t test_limit) {
  if (!fs::is_directory(dir)) {
    throw Error("data folder " + dir.string() + " does not exist");
  }
  std::optional<ImageData> data;
  for (const fs::path& d :
       {dir, dir / "cifar-10-batches-bin", dir / "cifar-100-binary"}) {
    if (!data) data = load_idx(d, train_limit, test_limit);
    if (!data) data = load_cifar(d, train_limit, test_limit);
  }
  if (!data) {
    throw Error("no data set in " + dir.string() +
                ": expected train-images-idx3-ubyte[.gz] and friends "
                "(MNIST, Fashion-MNIST), data_batch_1.bin (CIFAR-10) or "
                "train.bin (CIFAR-100)");
  }
  check_usable(*data, dir);
  return *std::move(data);
}

}  // namespace mishlab
