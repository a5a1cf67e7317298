// The training and validation crops of the fastai Imagenette recipe, on
// decoded RGB images, without LibTorch (they run in loader threads).
#pragma once

#include <cstdint>
#include <random>

#include "data/jpeg.hpp"

namespace mishlab {

// A region of an image in pixel units (may be fractional).
struct CropBox {
  double x = 0, y = 0, width = 0, height = 0;
};

// torchvision's RandomResizedCrop: area share in [min_scale, 1], aspect
// ratio log-uniform in [3/4, 4/3]; a centred crop when ten tries miss.
CropBox random_resized_crop(int width, int height, std::mt19937_64& rng,
                            double min_scale = 0.35);

// Resize the shorter side to `resize_to`, then the centred square of
// `size` px: the box in the original image.
CropBox center_crop(int width, int height, int resize_to, int size);

// Samples `box` bilinearly to size x size and writes planar RGB (CHW) to
// `out` (3 * size * size bytes), mirrored left-right when `flip`.
void resample(const RgbImage& image, const CropBox& box, int size, bool flip,
              uint8_t* out);

}  // namespace mishlab
