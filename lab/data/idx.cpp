#include <algorithm>
#include <array>

#include "common/error.hpp"
#include "data/images.hpp"

namespace mishlab {

namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr uint32_t kMaxDims = 4;
// Bounds one item (an image) so that a hostile header cannot make even a
// single item huge; real IDX images are 28x28.
constexpr uint64_t kMaxItemBytes = 1 << 24;
constexpr size_t kChunk = 1 << 20;

uint32_t big_endian(const std::array<uint8_t, 4>& b) {
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
         static_cast<uint32_t>(b[2]) << 8 | static_cast<uint32_t>(b[3]);
}

}  // namespace

IdxArray read_idx(ByteStream& in, uint64_t limit) {
  const std::string& name = in.name();
  std::array<uint8_t, 4> word{};
  in.read_exact(word.data(), word.size(), "IDX header");
  if (word[0] != 0 || word[1] != 0) {
    throw Error(name + ": not an IDX file (bad magic)");
  }
  if (word[2] != kUnsignedByte) {
    throw Error(name + ": unsupported IDX element type " +
                std::to_string(word[2]) + " (only unsigned bytes)");
  }
  const uint32_t ndims = word[3];
  if (ndims == 0 || ndims > kMaxDims) {
    throw Error(name + ": IDX file with " + std::to_string(ndims) +
                " dimensions (expected 1 to 4)");
  }
  IdxArray out;
  uint64_t item_bytes = 1;
  for (uint32_t i = 0; i < ndims; ++i) {
    in.read_exact(word.data(), word.size(), "IDX header");
    out.dims.push_back(big_endian(word));
    if (i > 0) {
      item_bytes *= out.dims.back();
      if (item_bytes > kMaxItemBytes) {
        throw Error(name + ": IDX items larger than 16 MiB");
      }
    }
  }
  const uint64_t count = out.dims[0];
  const uint64_t keep = std::min(count, limit);
  const uint64_t total = keep * item_bytes;
  // Grows with the bytes actually read: a header claiming billions of items
  // fails as truncated after at most one chunk beyond the real data.
  while (out.data.size() < total) {
    const size_t old = out.data.size();
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(kChunk, total - old));
    out.data.resize(old + n);
    in.read_exact(out.data.data() + old, n, "IDX data");
  }
  if (keep == count && !in.at_end()) {
    throw Error(name + ": more data than the IDX header says");
  }
  out.dims[0] = static_cast<uint32_t>(keep);
  return out;
}

ImageSet read_idx_pair(ByteStream& images, ByteStream& labels, uint64_t limit) {
  IdxArray img = read_idx(images, limit);
  IdxArray lab = read_idx(labels, limit);
  if (img.dims.size() != 3) {
    throw Error(images.name() + ": IDX images must have 3 dimensions");
  }
  if (lab.dims.size() != 1) {
    throw Error(labels.name() + ": IDX labels must have 1 dimension");
  }
  if (img.dims[0] != lab.dims[0]) {
    throw Error(images.name() + " holds " + std::to_string(img.dims[0]) +
                " images but " + labels.name() + " " +
                std::to_string(lab.dims[0]) + " labels");
  }
  ImageSet set;
  set.count = img.dims[0];
  set.channels = 1;
  set.height = img.dims[1];
  set.width = img.dims[2];
  set.pixels = std::move(img.data);
  set.labels = std::move(lab.data);
  return set;
}

}  // namespace mishlab
