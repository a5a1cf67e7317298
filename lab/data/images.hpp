#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "data/byte_stream.hpp"

namespace mishlab {

// Labelled 8-bit images, pixels in NCHW order: what every reader produces and
// what the trainer turns into tensors.
struct ImageSet {
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> labels;
};

struct ImageData {
  std::string format;  // "idx" or "cifar10" or "cifar100"
  ImageSet train;
  ImageSet test;
  int64_t classes = 0;  // of the format: 10 for IDX and CIFAR-10, else 100
};

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

// An IDX array of unsigned bytes (the MNIST format): dims, then data. Keeps
// the first `limit` items along the first dimension.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};
IdxArray read_idx(ByteStream& in, uint64_t limit = kNoLimit);

// IDX images (N x H x W) and labels (N) that must agree on N.
ImageSet read_idx_pair(ByteStream& images, ByteStream& labels,
                       uint64_t limit = kNoLimit);

// CIFAR binary records: a label byte (CIFAR-100: coarse then fine label byte,
// the fine one is kept) and 3x32x32 pixels. Appends up to `limit` records
// in total to `out`.
enum class CifarKind { k10, k100 };
void read_cifar(ByteStream& in, CifarKind kind, uint64_t limit, ImageSet& out);

// Finds and reads MNIST-style IDX files (gzipped or not), CIFAR-10 or
// CIFAR-100 binaries in `dir`, keeping the first train_limit / test_limit
// examples. Throws Error saying what was expected when nothing fits, and
// naming the file and record of a label outside the format's classes.
ImageData load_image_data(const std::filesystem::path& dir,
                          uint64_t train_limit, uint64_t test_limit);

}  // namespace mishlab
