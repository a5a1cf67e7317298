#include "data/jpeg.hpp"

#include <turbojpeg.h>

#include <memory>
#include <stdexcept>

#include "common/error.hpp"

namespace mishlab {
namespace {

struct HandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

[[noreturn]] void fail(void* handle, const std::string& name,
                       const std::string& what) {
  throw Error(name + ": " + what + " (" + tjGetErrorStr2(handle) + ")");
}

// The smallest scaled size whose sides both stay >= min_side.
tjscalingfactor pick_scale(int width, int height, int min_side) {
  tjscalingfactor best{1, 1};
  if (min_side <= 0) return best;
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  for (int i = 0; i < count; ++i) {
    const auto& f = factors[i];
    const int w = TJSCALED(width, f), h = TJSCALED(height, f);
    if (w >= min_side && h >= min_side && w < TJSCALED(width, best)) best = f;
  }
  return best;
}

}  // namespace

RgbImage decode_jpeg(std::string_view bytes, const std::string& name,
                     int min_side) {
  Handle handle(tjInitDecompress());
  if (!handle) throw std::runtime_error("tjInitDecompress failed");
  if (bytes.size() < 4 || static_cast<uint8_t>(bytes[0]) != 0xFF ||
      static_cast<uint8_t>(bytes[1]) != 0xD8) {
    throw Error(name + ": not a JPEG file (no SOI marker)");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), data, size, &width, &height,
                          &subsampling, &colorspace) != 0) {
    fail(handle.get(), name, "corrupt JPEG header");
  }
  if (width <= 0 || height <= 0 || int64_t{width} * height > kMaxJpegPixels) {
    throw Error(name + ": JPEG of " + std::to_string(width) + "x" +
                std::to_string(height) + " px is larger than the " +
                std::to_string(kMaxJpegPixels) + " px allowed");
  }
  const auto scale = pick_scale(width, height, min_side);
  RgbImage image;
  image.width = TJSCALED(width, scale);
  image.height = TJSCALED(height, scale);
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * 3);
  if (tjDecompress2(handle.get(), data, size, image.pixels.data(), image.width,
                    0, image.height, TJPF_RGB,
                    TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
    fail(handle.get(), name, "corrupt or truncated JPEG data");
  }
  return image;
}

std::string encode_jpeg(const RgbImage& image, int quality) {
  Handle handle(tjInitCompress());
  if (!handle) throw std::runtime_error("tjInitCompress failed");
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  if (tjCompress2(handle.get(), image.pixels.data(), image.width, 0,
                  image.height, TJPF_RGB, &out, &out_size, TJSAMP_420, quality,
                  0) != 0) {
    const std::string why = tjGetErrorStr2(handle.get());
    tjFree(out);
    throw std::runtime_error("JPEG encoding failed: " + why);
  }
  std::string result(reinterpret_cast<const char*>(out), out_size);
  tjFree(out);
  return result;
}

}  // namespace mishlab
