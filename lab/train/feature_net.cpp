#include "train/feature_net.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "train/optimizers.hpp"
#include "train/settings.hpp"
#include "train/trainer.hpp"

namespace mishlab {

namespace nn = torch::nn;

FeatureNetImpl::FeatureNetImpl(const DataShape& shape)
    : conv1_(register_module(
          "conv1",
          nn::Conv2d(nn::Conv2dOptions(shape.channels, 16, 3).padding(1)))),
      conv2_(register_module(
          "conv2", nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)))),
      hidden_(register_module(
          "hidden",
          nn::Linear(32 * (shape.height / 4) * (shape.width / 4), kFeatures))),
      logits_(register_module("logits", nn::Linear(kFeatures, shape.classes))) {
}

at::Tensor FeatureNetImpl::features(const at::Tensor& x) {
  at::Tensor h = at::max_pool2d(at::relu(conv1_->forward(x)), 2);
  h = at::max_pool2d(at::relu(conv2_->forward(h)), 2);
  return at::relu(hidden_->forward(h.flatten(1)));
}

at::Tensor FeatureNetImpl::forward(const at::Tensor& x) {
  return logits_->forward(features(x));
}

FeatureNet train_feature_net(const TensorSet& train, const TensorSet& test,
                             const DataShape& shape, double* test_accuracy) {
  constexpr int kEpochs = 2;
  torch::manual_seed(0);
  FeatureNet net(shape);
  net->to(train.x.device());
  TrainSettings settings;  // Adam at 1e-3
  TensorBatches train_batches(train, 128, true);
  TensorBatches test_batches(test, 500, false);
  Trainer trainer(torch::nn::AnyModule(net),
                  make_optimizer(net->parameters(), settings), nullptr,
                  kEpochs * train_batches.batches());
  for (int epoch = 1; epoch <= kEpochs; ++epoch) {
    trainer.train_epoch(train_batches, static_cast<uint64_t>(epoch), nullptr);
  }
  *test_accuracy = trainer.evaluate(test_batches).metrics[0];
  net->eval();
  return net;
}

}  // namespace mishlab
