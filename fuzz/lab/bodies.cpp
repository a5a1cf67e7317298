#include "bodies.hpp"

#include <string_view>

#include "common/error.hpp"
#include "data/images.hpp"
#include "data/png.hpp"

namespace mishlab::fuzz {

namespace {

std::string_view view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

int idx_one(const uint8_t* data, size_t size) {
  for (uint64_t limit : {kNoLimit, uint64_t{3}}) {
    try {
      ByteStream in = ByteStream::from_memory(view(data, size), "fuzz");
      read_idx(in, limit);
    } catch (const Error&) {
      // A clear error is the expected outcome for most inputs.
    }
  }
  return 0;
}

int cifar_one(const uint8_t* data, size_t size) {
  for (CifarKind kind : {CifarKind::k10, CifarKind::k100}) {
    try {
      ByteStream in = ByteStream::from_memory(view(data, size), "fuzz");
      ImageSet set;
      read_cifar(in, kind, kNoLimit, set);
    } catch (const Error&) {
    }
  }
  return 0;
}

int png_one(const uint8_t* data, size_t size) {
  try {
    decode_png(view(data, size), "fuzz.png");
  } catch (const Error&) {
  }
  try {
    decode_png_indices(view(data, size), "fuzz.png");
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace mishlab::fuzz
