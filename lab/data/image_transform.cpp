#include "data/image_transform.hpp"

#include <algorithm>
#include <cmath>

namespace mishlab {

CropBox random_resized_crop(int width, int height, std::mt19937_64& rng,
                            double min_scale) {
  const double w = width, h = height, area = w * h;
  std::uniform_real_distribution<double> scale(min_scale, 1.0);
  std::uniform_real_distribution<double> log_ratio(std::log(3.0 / 4.0),
                                                   std::log(4.0 / 3.0));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * scale(rng);
    const double ratio = std::exp(log_ratio(rng));
    const double cw = std::sqrt(target * ratio), ch = std::sqrt(target / ratio);
    if (cw <= w && ch <= h) {
      return {unit(rng) * (w - cw), unit(rng) * (h - ch), cw, ch};
    }
  }
  // Fallback: the whole image, its aspect ratio clamped into the range.
  const double cw = std::min(w, h * 4.0 / 3.0);
  const double ch = std::min(h, w * 4.0 / 3.0);
  return {(w - cw) / 2, (h - ch) / 2, cw, ch};
}

CropBox center_crop(int width, int height, int resize_to, int size) {
  const double shorter = std::min(width, height);
  const double side = shorter * size / resize_to;
  return {(width - side) / 2, (height - side) / 2, side, side};
}

void resample(const RgbImage& image, const CropBox& box, int size, bool flip,
              uint8_t* out) {
  const int w = image.width, h = image.height;
  const double sx = box.width / size, sy = box.height / size;
  const size_t plane = static_cast<size_t>(size) * size;
  for (int oy = 0; oy < size; ++oy) {
    // Pixel centres: output pixel i covers [i, i + 1) of the scaled box.
    const double fy = std::clamp(box.y + (oy + 0.5) * sy - 0.5, 0.0, h - 1.0);
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, h - 1);
    const double wy = fy - y0;
    for (int ox = 0; ox < size; ++ox) {
      const double fx = std::clamp(box.x + (ox + 0.5) * sx - 0.5, 0.0, w - 1.0);
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, w - 1);
      const double wx = fx - x0;
      const uint8_t* p00 =
          &image.pixels[(static_cast<size_t>(y0) * w + x0) * 3];
      const uint8_t* p01 =
          &image.pixels[(static_cast<size_t>(y0) * w + x1) * 3];
      const uint8_t* p10 =
          &image.pixels[(static_cast<size_t>(y1) * w + x0) * 3];
      const uint8_t* p11 =
          &image.pixels[(static_cast<size_t>(y1) * w + x1) * 3];
      const int dx = flip ? size - 1 - ox : ox;
      for (int c = 0; c < 3; ++c) {
        const double top = p00[c] + (p01[c] - p00[c]) * wx;
        const double bottom = p10[c] + (p11[c] - p10[c]) * wx;
        out[c * plane + static_cast<size_t>(oy) * size + dx] =
            static_cast<uint8_t>(std::lround(top + (bottom - top) * wy));
      }
    }
  }
}

}  // namespace mishlab
