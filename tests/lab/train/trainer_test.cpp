#include "train/trainer.hpp"

#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <cmath>

#include "common/error.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/run_spec.hpp"
#include "train/task.hpp"

namespace mishlab {
namespace {

// Two Gaussian blobs per class in 1x4x4 "images": learnable in a few steps.
TensorSet blobs(int64_t n, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const at::Tensor y = at::arange(n) % 3;
  const at::Tensor x = at::randn({n, 1, 4, 4}, gen) * 0.5 +
                       y.to(at::kFloat).view({n, 1, 1, 1}) * 2 - 2;
  return {x, y};
}

RunSpec spec(const std::string& model, const std::string& optimizer,
             double lr) {
  RunSpec s;
  s.activation = "mish";
  s.depth = 2;
  s.train.model = model;
  s.train.optimizer = optimizer;
  s.train.lr = lr;
  s.train.momentum = 0.9;
  return s;
}

const DataShape kShape{1, 4, 4, 3};

Trainer make_trainer(const RunSpec& s, TrainerOptions options = {}) {
  torch::manual_seed(0);
  torch::nn::AnyModule model = build_model(s, kShape);
  auto optimizer = make_optimizer(model.ptr()->parameters(), s.train);
  return Trainer(std::move(model), std::move(optimizer),
                 get_schedule(s.train.schedule), 100, options);
}

TensorBatches batches(const TensorSet& set, int64_t batch_size,
                      bool shuffle = true) {
  return TensorBatches(set, batch_size, shuffle);
}

TEST(Trainer, LearnsASeparableProblem) {
  Trainer t = make_trainer(spec("mlp", "adam", 1e-2));
  TensorBatches train = batches(blobs(300, 1), 32);
  for (int epoch = 0; epoch < 5; ++epoch) {
    EXPECT_TRUE(t.train_epoch(train, epoch, {}).finite);
  }
  TensorBatches test = batches(blobs(150, 2), 64, false);
  EXPECT_GT(t.evaluate(test).metrics[0], 0.9);
  // Heavy input noise costs accuracy.
  EXPECT_LT(t.evaluate(test, 8.0, 3).metrics[0], 0.8);
}

TEST(Trainer, SkipsAOneExampleBatchButCountsItAsDone) {
  Trainer t = make_trainer(spec("mlp", "sgd", 0.01));
  TensorBatches train = batches(blobs(33, 1), 16);
  ASSERT_EQ(train.batches(), 3);
  int calls = 0;
  EXPECT_TRUE(t.train_epoch(train, 0, [&] { ++calls; }).finite);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(t.steps(), 2);  // 16 + 16; the last example trains nothing
}

TEST(Trainer, AnEmptyPassIsNaNNotZero) {
  Trainer t = make_trainer(spec("mlp", "sgd", 0.01));
  TensorSet none{at::zeros({0, 1, 4, 4}), at::zeros({0}, at::kLong)};
  TensorBatches empty = batches(none, 8, false);
  const PassStats s = t.evaluate(empty);
  EXPECT_TRUE(std::isnan(s.loss));
  ASSERT_EQ(s.metrics.size(), 1U);
  EXPECT_TRUE(std::isnan(s.metrics[0]));
  EXPECT_FALSE(s.finite);
}

TEST(Trainer, ShuffleFollowsTheSeed) {
  TensorBatches a = batches(blobs(64, 7), 64);
  TensorBatches b = batches(blobs(64, 7), 64);
  a.start(5);
  b.start(5);
  EXPECT_TRUE(at::equal(a.next()->y, b.next()->y));
  b.start(6);
  a.start(5);
  EXPECT_FALSE(at::equal(a.next()->x, b.next()->x));
}

// With smoothing eps over k classes the loss is (1 - eps) CE + eps / k *
// sum(-log p): the step's loss must match that, computed here by hand.
TEST(Trainer, LabelSmoothingEntersTheTrainingLoss) {
  const RunSpec s = spec("mlp", "sgd", 0.0);
  const TensorSet batch = blobs(16, 6);
  double plain = 0, smoothed = 0;
  at::Tensor logits;
  for (double eps : {0.0, 0.2}) {
    Trainer t = make_trainer(s, {eps, false});
    t.module().eval();  // same logits in both passes (no dropout)
    std::vector<double> counts;
    (eps == 0 ? plain : smoothed) = t.step({batch.x, batch.y}, &counts);
  }
  torch::manual_seed(0);
  torch::nn::AnyModule model = build_model(s, kShape);
  model.ptr()->eval();
  logits = model.forward(batch.x).detach();
  const at::Tensor logp = at::log_softmax(logits, 1);
  const double ce =
      -logp.gather(1, batch.y.view({-1, 1})).mean().item<double>();
  const double uniform = -logp.mean(1).mean().item<double>();
  EXPECT_NEAR(plain, ce, 1e-5);
  EXPECT_NEAR(smoothed, 0.8 * ce + 0.2 * uniform, 1e-5);
}

TEST(Trainer, DivergenceIsReportedNotThrown) {
  Trainer t = make_trainer(spec("mlp", "sgd", 1e12));
  TensorBatches train = batches(blobs(256, 5), 16);
  EXPECT_FALSE(t.train_epoch(train, 0, {}).finite);
}

TEST(Models, EveryModelMapsImagesToClassScores) {
  for (const std::string& name : model_names()) {
    // The deeper XResNets are the same code as xresnet18, only slower.
    if (name == "xresnet34" || name == "xresnet50") continue;
    // The U-Net and the autoencoder map images to images
    // (pixel_models_test.cpp).
    if (task_name(name) != "classification") continue;
    for (const DataShape& shape :
         {DataShape{1, 28, 28, 10}, DataShape{3, 32, 32, 100}}) {
      RunSpec s = spec(name, "adam", 1e-3);
      s.activation = "relu";
      torch::nn::AnyModule m = build_model(s, shape);
      const at::Tensor y =
          m.forward(at::randn({2, shape.channels, shape.height, shape.width}));
      EXPECT_EQ(y.sizes(), (at::IntArrayRef{2, shape.classes})) << name;
    }
  }
}

TEST(Models, InitialisersSetTheirScale) {
  RunSpec s = spec("mlp", "adam", 1e-3);
  for (const std::string& init : init_names()) {
    torch::manual_seed(1);
    torch::nn::AnyModule m = build_model(s, DataShape{1, 32, 32, 10});
    init_weights(*m.ptr(), init);
    // The first layer: Linear(1024, 256).
    const auto params = m.ptr()->named_parameters();
    const at::Tensor w = *params.find("layers.1.weight");
    const at::Tensor b = *params.find("layers.1.bias");
    const double std = w.std().item<double>();
    if (init == "he_normal" || init == "he_uniform") {
      EXPECT_NEAR(std, std::sqrt(2.0 / 1024), 0.002) << init;
    } else if (init == "lecun_normal" || init == "lecun_uniform") {
      EXPECT_NEAR(std, std::sqrt(1.0 / 1024), 0.002) << init;
    } else if (init == "random_normal") {
      EXPECT_NEAR(std, 0.05, 0.002);
    } else if (init == "truncated_normal") {
      EXPECT_LE(w.abs().max().item<double>(), 0.1);
    }
    if (init != "default") {
      EXPECT_EQ(b.abs().sum().item<double>(), 0) << init;
    }
  }
  torch::nn::AnyModule m = build_model(s, DataShape{1, 4, 4, 3});
  EXPECT_THROW(init_weights(*m.ptr(), "nope"), Error);
}

}  // namespace
}  // namespace mishlab
