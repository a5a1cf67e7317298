// JPEG decoding and encoding with libjpeg-turbo's TurboJPEG API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mishlab {

// 8-bit RGB, rows top to bottom, pixels interleaved (HWC).
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// Larger images are refused before any pixel buffer is allocated, so a
// hostile header cannot ask for gigabytes (ImageNet's largest is ~12M px).
inline constexpr int64_t kMaxJpegPixels = int64_t{1} << 25;

// Decodes `bytes`; `name` (the file) goes into every error message. When
// min_side > 0 the image is decoded at the smallest libjpeg-turbo scale
// (M/8) that keeps both sides >= min_side, which saves most of the work on
// large photos. Throws mishlab::Error on corrupt, truncated or non-JPEG data
// (libjpeg warnings count as errors: a truncated file decodes with a warning
// and grey rows).
RgbImage decode_jpeg(std::string_view bytes, const std::string& name,
                     int min_side = 0);

// Baseline JPEG at `quality` (1-100), 4:2:0; for tests and tools.
std::string encode_jpeg(const RgbImage& image, int quality = 90);

}  // namespace mishlab
