#pragma once

// The dense-output networks: a U-Net for segmentation and a convolutional
// autoencoder for reconstruction. The activation under test follows every
// convolution but the last.

#include <torch/nn/modules/container/any.h>

#include "train/models.hpp"
#include "train/run_spec.hpp"

namespace mishlab {

// U-Net (Ronneberger et al. 2015), batch-normalised: up to 3 poolings (while
// the sides are even), channels width, 2 width, 4 width, 8 width; each level
// two 3x3 convolutions with batch norm and the activation, in the encoder
// and in the decoder; transposed-convolution upsampling, skip connections by
// concatenation; a 1x1 convolution to shape.classes logits per pixel.
torch::nn::AnyModule unet(const RunSpec& spec, const DataShape& shape);

// Convolutional autoencoder: encoder 3x3 stride-2 convolutions to width and
// 2 width channels (a quarter of each side), decoder 4x4 stride-2 transposed
// convolutions back, the activation after each layer but the decoder's last,
// which ends in a sigmoid (pixels in [0, 1]). Sides must be multiples of 4.
torch::nn::AnyModule autoencoder(const RunSpec& spec, const DataShape& shape);

}  // namespace mishlab
