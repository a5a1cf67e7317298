// PNG decoding and encoding with libspng: images (any PNG, as RGB) and
// segmentation masks (8-bit class indices).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/jpeg.hpp"

namespace mishlab {

// One byte per pixel, rows top to bottom: a mask's class indices.
struct IndexImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// Larger images are refused before any pixel buffer is allocated.
inline constexpr int64_t kMaxPngPixels = int64_t{1} << 25;

// Any PNG as 8-bit RGB (grey replicated, palette expanded, 16-bit rounded,
// alpha dropped). Throws mishlab::Error naming `name` on corrupt, truncated
// or non-PNG data.
RgbImage decode_png(std::string_view bytes, const std::string& name);

// A mask: 8-bit greyscale (the grey value is the class) or palette (the
// palette index is the class), as stored, without colour conversion. Other
// kinds (16-bit, RGB, grey with alpha, fewer than 8 bits) are refused with
// an Error naming `name`, like corrupt or truncated data.
IndexImage decode_png_indices(std::string_view bytes, const std::string& name);

// 8-bit greyscale (channels 1) or RGB (channels 3, interleaved) as a PNG.
std::string encode_png(int width, int height, int channels,
                       const uint8_t* pixels);

}  // namespace mishlab
