#include <algorithm>
#include <cmath>
#include <random>

#include "common/error.hpp"
#include "data/segmentation.hpp"

namespace mishlab {

namespace {

// A uniform integer in [lo, hi] from the raw engine (the standard
// distributions differ between libraries; this does not).
int64_t uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

// Item `k` of `items` sampled bilinearly at pixel (u, v) of a side x side
// copy.
uint8_t sample(const ImageSet& items, int64_t k, int side, int u, int v) {
  const int64_t h = items.height;
  const int64_t w = items.width;
  const uint8_t* px = items.pixels.data() + k * h * w;
  const double sx = (u + 0.5) * static_cast<double>(w) / side - 0.5;
  const double sy = (v + 0.5) * static_cast<double>(h) / side - 0.5;
  const auto at = [&](int64_t x, int64_t y) {
    return static_cast<double>(px[std::clamp<int64_t>(y, 0, h - 1) * w +
                                  std::clamp<int64_t>(x, 0, w - 1)]);
  };
  const auto x0 = static_cast<int64_t>(std::floor(sx));
  const auto y0 = static_cast<int64_t>(std::floor(sy));
  const double fx = sx - static_cast<double>(x0);
  const double fy = sy - static_cast<double>(y0);
  const double top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const double bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return static_cast<uint8_t>(std::lround(top * (1 - fy) + bottom * fy));
}

}  // namespace

SegmentationSet make_scenes(const ImageSet& items, int64_t count, uint64_t seed,
                            int size) {
  if (items.count == 0 || items.channels != 1) {
    throw Error("scenes need one-channel items (an IDX data set), got " +
                std::to_string(items.count) + " of " +
                std::to_string(items.channels) + " channels");
  }
  constexpr int kMinSide = 16;
  constexpr int kMaxSide = 40;
  SegmentationSet s;
  s.count = count;
  s.channels = 1;
  s.height = size;
  s.width = size;
  const auto area = static_cast<size_t>(size) * size;
  s.pixels.assign(static_cast<size_t>(count) * area, 0);
  s.masks.assign(static_cast<size_t>(count) * area, 0);
  std::mt19937_64 rng(seed);
  for (int64_t n = 0; n < count; ++n) {
    uint8_t* px = s.pixels.data() + n * area;
    uint8_t* mask = s.masks.data() + n * area;
    const int64_t placed = uniform(rng, 1, kSceneItemsMax);
    int largest = 0;
    for (int64_t i = 0; i < placed; ++i) {
      const int64_t k = uniform(rng, 0, items.count - 1);
      const int side =
          static_cast<int>(uniform(rng, kMinSide, std::min(kMaxSide, size)));
      const int64_t left = uniform(rng, 0, size - side);
      const int64_t top = uniform(rng, 0, size - side);
      const auto label = static_cast<uint8_t>(items.labels[k] + 1);
      largest = std::max<int>(largest, label);
      for (int v = 0; v < side; ++v) {
        for (int u = 0; u < side; ++u) {
          const uint8_t value = sample(items, k, side, u, v);
          if (value < kSceneInk) continue;
          const size_t at = static_cast<size_t>((top + v) * size + left + u);
          px[at] = value;
          mask[at] = label;
        }
      }
    }
    s.largest_class.push_back(largest);
  }
  return s;
}

}  // namespace mishlab
