#include "common/error.hpp"
#include "data/images.hpp"

namespace mishlab {

namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kChannels = 3;
constexpr size_t kPixels = kChannels * kSide * kSide;

}  // namespace

void read_cifar(ByteStream& in, CifarKind kind, uint64_t limit, ImageSet& out) {
  const size_t label_bytes = kind == CifarKind::k10 ? 1 : 2;
  const unsigned classes = kind == CifarKind::k10 ? 10 : 100;
  out.channels = kChannels;
  out.height = kSide;
  out.width = kSide;
  uint8_t label[2] = {0, 0};
  while (static_cast<uint64_t>(out.count) < limit && !in.at_end()) {
    in.read_exact(label, label_bytes, "CIFAR record");
    const uint8_t fine = label[label_bytes - 1];
    if (fine >= classes || (kind == CifarKind::k100 && label[0] >= 20)) {
      throw Error(in.name() + ": CIFAR record " + std::to_string(out.count) +
                  " has label " + std::to_string(fine) +
                  " out of range (is this the right CIFAR variant?)");
    }
    const size_t old = out.pixels.size();
    out.pixels.resize(old + kPixels);
    in.read_exact(out.pixels.data() + old, kPixels, "CIFAR record");
    out.labels.push_back(fine);
    ++out.count;
  }
}

}  // namespace mishlab
