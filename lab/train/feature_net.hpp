#pragma once

// The fixed classifier whose penultimate features score generated images
// (FID's idea, with a network trained on the data set itself rather than
// Inception on ImageNet): two 3x3 convolutions (16, 32 channels) with ReLU
// and 2x2 max pooling, a 128-unit ReLU layer (the features), and the
// logits: small, so that training it once is cheap beside the runs it
// scores. Inputs are pixels in [-1, 1], the generator's range. Its
// activation is fixed (ReLU), so that it scores every activation under
// test alike.

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "train/batches.hpp"
#include "train/frechet.hpp"
#include "train/models.hpp"

namespace mishlab {

class FeatureNetImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kFeatures = 128;

  explicit FeatureNetImpl(const DataShape& shape);
  at::Tensor features(const at::Tensor& x);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::Conv2d conv2_{nullptr};
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear logits_{nullptr};
};
TORCH_MODULE(FeatureNet);

// What generated images are scored against: the data set's classifier and
// the test images' Gaussian in its features.
struct FeatureReference {
  std::shared_ptr<FeatureNetImpl> net;
  Gaussian test;
};

// Trains a FeatureNet on `train` (pixels in [-1, 1], labels) with a fixed
// seed: Adam at 1e-3, batches of 128, 2 epochs, one thread's order of
// operations aside the same network for the same data. Returns it in
// evaluation mode, with its accuracy on `test` in *test_accuracy.
FeatureNet train_feature_net(const TensorSet& train, const TensorSet& test,
                             const DataShape& shape, double* test_accuracy);

}  // namespace mishlab
