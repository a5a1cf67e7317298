#pragma once

// Segmentation data: images with a class index per pixel. Two sources: the
// "Fashion-MNIST scenes" generated from an IDX data set, and a user's folder
// of images and PNG masks.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/images.hpp"

namespace mishlab {

// Pixels of this class index are left out of the loss and the metrics.
inline constexpr uint8_t kIgnoreIndex = 255;

struct SegmentationSet {
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;  // N x C x H x W
  std::vector<uint8_t> masks;   // N x H x W class indices
  // Per example: the largest class index of its mask as read (before any
  // resizing; -1 when all ignored), and the mask's file (empty: generated).
  std::vector<int> largest_class;
  std::vector<std::string> mask_files;
};

struct SegmentationData {
  std::string format;  // "fashion-scenes" or "segmentation-folders"
  SegmentationSet train;
  SegmentationSet test;
  int64_t classes = 0;  // background included
};

// `count` size x size scenes of 1 to 4 grey items of `items` (one channel),
// each scaled to 16..40 px and placed at random; an item's pixels of at
// least kSceneInk are drawn over what lies below and labelled with its
// class + 1, the rest is background (0). Deterministic: the same items,
// count and seed give the same scenes on every machine.
inline constexpr int kSceneItemsMax = 4;
inline constexpr uint8_t kSceneInk = 32;
SegmentationSet make_scenes(const ImageSet& items, int64_t count, uint64_t seed,
                            int size = 64);

// True when `dir` holds train/images and train/masks.
bool is_segmentation_folder(const std::filesystem::path& dir);

// dir/images/NAME.{png,jpg,jpeg} (any case) with dir/masks/NAME.png, sorted
// by name, the first `limit` (0: all), as RGB resized to size x size
// (masks by nearest neighbour). Throws Error naming the file for a missing
// mask, a mask whose size differs from its image's, or an undecodable image
// or mask.
SegmentationSet read_segmentation_folder(const std::filesystem::path& dir,
                                         int size, uint64_t limit);

// The number of classes: `classes` when given (> 0), else one more than the
// largest index in the masks (kIgnoreIndex aside). Throws Error naming the
// mask file of an index that is not below it.
int64_t check_classes(const std::vector<const SegmentationSet*>& sets,
                      int64_t classes);

}  // namespace mishlab
