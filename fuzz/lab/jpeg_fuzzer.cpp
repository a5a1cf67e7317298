// Any bytes through what the image-folder loader does with a file: decode
// (at full size and scaled), then both crops. Errors are fine; crashes,
// sanitizer reports and huge allocations are not.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>

#include "common/error.hpp"
#include "data/image_transform.hpp"
#include "data/jpeg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mishlab;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const RgbImage image = decode_jpeg(bytes, "fuzz.jpg", size % 2 ? 12 : 0);
    std::mt19937_64 rng(size);
    uint8_t out[3 * 12 * 12];
    resample(image, random_resized_crop(image.width, image.height, rng), 12,
             true, out);
    resample(image, center_crop(image.width, image.height, 20, 12), 12, false,
             out);
  } catch (const mishlab::Error&) {
  }
  return 0;
}
