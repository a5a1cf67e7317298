// The Fashion-MNIST scenes: deterministic, and their masks say where each
// item's pixels are.
#include <gtest/gtest.h>

#include "data/segmentation.hpp"

namespace mishlab {
namespace {

// n 8x8 items: item i is a filled square of value 100 + i, label i % 10.
ImageSet items(int64_t n) {
  ImageSet s{n, 1, 8, 8, {}, {}};
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 64; ++k) {
      const bool inside = k / 8 >= 2 && k / 8 < 6 && k % 8 >= 2 && k % 8 < 6;
      s.pixels.push_back(static_cast<uint8_t>(inside ? 100 + i : 0));
    }
    s.labels.push_back(static_cast<uint8_t>(i % 10));
  }
  return s;
}

TEST(Scenes, TheSameSeedGivesTheSameScenes) {
  const ImageSet it = items(12);
  const SegmentationSet a = make_scenes(it, 20, 7);
  const SegmentationSet b = make_scenes(it, 20, 7);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.masks, b.masks);
  const SegmentationSet c = make_scenes(it, 20, 8);
  EXPECT_NE(a.masks, c.masks);
  EXPECT_EQ(a.count, 20);
  EXPECT_EQ(a.height, 64);
  EXPECT_EQ(a.masks.size(), 20u * 64 * 64);
}

TEST(Scenes, MasksLabelExactlyTheItemsPixels) {
  const ImageSet it = items(12);
  const SegmentationSet s = make_scenes(it, 30, 3);
  std::vector<int> seen(11, 0);
  for (size_t i = 0; i < s.masks.size(); ++i) {
    const uint8_t m = s.masks[i];
    ASSERT_LE(m, 10);
    ++seen[m];
    if (m == 0) {
      EXPECT_EQ(s.pixels[i], 0);
    } else {
      EXPECT_GE(s.pixels[i], kSceneInk);  // only ink is drawn and labelled
    }
  }
  EXPECT_GT(seen[0], 0);  // background everywhere else
  int classes = 0;
  for (int c = 1; c <= 10; ++c) classes += seen[c] > 0;
  EXPECT_GE(classes, 5);  // 30 scenes of 1-4 items among 10 labels
  for (size_t n = 0; n < s.largest_class.size(); ++n) {
    EXPECT_GE(s.largest_class[n], 1);
  }
}

TEST(Scenes, EveryItemIsPlacedInsideTheCanvas) {
  // One item covering the whole 8x8 square: every scene holds 1-4 squares
  // of 16-40 px, so at least 16 x 16 labelled pixels, at most 4 x 40 x 40.
  ImageSet full{1, 1, 8, 8, std::vector<uint8_t>(64, 200), {3}};
  const SegmentationSet s = make_scenes(full, 50, 11);
  for (int64_t n = 0; n < s.count; ++n) {
    int64_t labelled = 0;
    for (int64_t k = 0; k < 64 * 64; ++k) {
      const uint8_t m = s.masks[static_cast<size_t>(n * 64 * 64 + k)];
      EXPECT_TRUE(m == 0 || m == 4);
      labelled += m == 4;
    }
    EXPECT_GE(labelled, 16 * 16);
    EXPECT_LE(labelled, 4 * 40 * 40);
  }
}

}  // namespace
}  // namespace mishlab
