#pragma once

// DCGAN (Radford et al. 2015) scaled to 28x28 images: the generator maps
// 100 Gaussian noise values through transposed convolutions with batch norm
// to tanh pixels in [-1, 1]; the discriminator, strided convolutions with
// batch norm (none on its input layer), to one logit. The activation under
// test takes the place of the generator's ReLUs and of the discriminator's
// leaky ReLUs; the output layers keep tanh and the logit. Weights start as
// the original's: N(0, 0.02), batch-norm scales N(1, 0.02).

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include "train/models.hpp"
#include "train/run_spec.hpp"

namespace mishlab {

class DcganImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kNoise = 100;

  // Generator: noise to 4 width channels at a quarter of each side, then 2
  // width at half, then the image; discriminator: the mirror, 2 width then 4
  // width channels, then a convolution over the quarter-size map. Sides
  // must be multiples of 4.
  DcganImpl(const RunSpec& spec, const DataShape& shape);

  // x.size(0) images generated from fresh noise (the default generator):
  // what the trainer evaluates; x itself is not used.
  at::Tensor forward(const at::Tensor& x);
  // Images from noise [n, kNoise, 1, 1].
  at::Tensor generate(const at::Tensor& noise);
  at::Tensor generate(int64_t n);
  // One logit per image: real (1) or generated (0).
  at::Tensor discriminate(const at::Tensor& images);

  torch::nn::Module& discriminator() { return *discriminator_; }

 private:
  torch::nn::Sequential generator_{nullptr};
  torch::nn::Sequential discriminator_{nullptr};
};
TORCH_MODULE(Dcgan);

torch::nn::AnyModule dcgan(const RunSpec& spec, const DataShape& shape);

}  // namespace mishlab
