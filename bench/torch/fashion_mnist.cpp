#include "fashion_mnist.hpp"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace mish::bench {
namespace {

using GzFile = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

void read_exactly(gzFile file, void* out, size_t bytes,
                  const std::string& path) {
  const int got = gzread(file, out, static_cast<unsigned>(bytes));
  if (got < 0 || static_cast<size_t>(got) != bytes) {
    throw std::runtime_error(path + ": truncated or not gzip");
  }
}

// An IDX file of unsigned bytes: magic 0x0000 08 <rank>, big-endian
// dimensions, then the data. Returns the first `count` items, each of the
// shape `item` (which the file must have).
std::vector<uint8_t> read_idx(const std::string& path,
                              const std::vector<uint32_t>& item,
                              int64_t count) {
  GzFile file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw std::runtime_error(path + ": cannot open");
  const size_t rank = item.size() + 1;
  std::array<uint8_t, 4 * 4> header{};
  read_exactly(file.get(), header.data(), 4 * (rank + 1), path);
  auto word = [&](size_t i) {
    return uint32_t{header[4 * i]} << 24 | uint32_t{header[4 * i + 1]} << 16 |
           uint32_t{header[4 * i + 2]} << 8 | uint32_t{header[4 * i + 3]};
  };
  if (word(0) != (0x800u | rank)) {
    throw std::runtime_error(path + ": not an IDX file of bytes of rank " +
                             std::to_string(rank));
  }
  if (word(1) < count) {
    throw std::runtime_error(path + ": fewer than " + std::to_string(count) +
                             " items");
  }
  size_t item_bytes = 1;
  for (size_t i = 0; i < item.size(); ++i) {
    if (word(i + 2) != item[i]) {
      throw std::runtime_error(path + ": unexpected item shape");
    }
    item_bytes *= item[i];
  }
  std::vector<uint8_t> data(item_bytes * static_cast<size_t>(count));
  read_exactly(file.get(), data.data(), data.size(), path);
  return data;
}

}  // namespace

Batch read_fashion_mnist(const std::string& dir, int64_t count) {
  std::vector<uint8_t> images =
      read_idx(dir + "/train-images-idx3-ubyte.gz", {28, 28}, count);
  std::vector<uint8_t> labels =
      read_idx(dir + "/train-labels-idx1-ubyte.gz", {}, count);
  // Mean and standard deviation of the Fashion-MNIST training pixels.
  const at::Tensor pixels =
      at::from_blob(images.data(), {count, 1, 28, 28}, at::kByte)
          .to(at::kFloat)
          .div_(255);
  return {(pixels - 0.2860) / 0.3530,
          at::from_blob(labels.data(), {count}, at::kByte).to(at::kLong)};
}

}  // namespace mish::bench
