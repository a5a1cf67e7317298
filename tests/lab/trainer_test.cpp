#include "mishlab/trainer.hpp"

#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "mishlab/catalog.hpp"
#include "mishlab/error.hpp"

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
  s.model = model;
  s.activation = "mish";
  s.optimizer = optimizer;
  s.lr = lr;
  s.momentum = 0.9;
  s.depth = 2;
  s.init = "default";
  s.schedule = "constant";
  return s;
}

const DataShape kShape{1, 4, 4, 3};

Trainer make_trainer(const RunSpec& s, GradientSync sync = {}) {
  torch::manual_seed(0);
  torch::nn::AnyModule model = build_model(s, kShape);
  auto optimizer = make_optimizer(model.ptr()->parameters(), s);
  return Trainer(std::move(model), std::move(optimizer),
                 get_schedule(s.schedule), 100, std::move(sync));
}

std::vector<at::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<at::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool same(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!at::equal(a[i], b[i])) return false;
  }
  return true;
}

TEST(Trainer, LearnsASeparableProblem) {
  Trainer t = make_trainer(spec("mlp", "adam", 1e-2));
  const TensorSet train = blobs(300, 1);
  for (int epoch = 0; epoch < 5; ++epoch) {
    EXPECT_TRUE(t.train_epoch(train, 32, epoch, {}).finite);
  }
  EXPECT_GT(t.evaluate(blobs(150, 2), 64).accuracy, 0.9);
  // Heavy input noise costs accuracy.
  EXPECT_LT(t.evaluate(blobs(150, 2), 64, 8.0, 3).accuracy, 0.8);
}

TEST(Trainer, GradientSyncRunsBetweenBackwardAndStep) {
  int calls = 0;
  // Zeroing the gradients in the hook must leave SGD without an update.
  Trainer t = make_trainer(spec("mlp", "sgd", 0.1), [&](torch::nn::Module& m) {
    ++calls;
    for (auto& p : m.parameters()) {
      ASSERT_TRUE(p.grad().defined());
      p.grad().zero_();
    }
  });
  const auto before = snapshot(t.module());
  const TensorSet batch = blobs(16, 4);
  int64_t correct = 0;
  t.step(batch.x, batch.y, &correct);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(same(before, snapshot(t.module())));
}

// With smoothing eps over k classes the loss is (1 - eps) CE + eps / k *
// sum(-log p): the step's loss must match that, computed here by hand.
TEST(Trainer, LabelSmoothingEntersTheTrainingLoss) {
  const RunSpec s = spec("mlp", "sgd", 0.0);
  const TensorSet batch = blobs(16, 6);
  double plain = 0, smoothed = 0;
  at::Tensor logits;
  for (double eps : {0.0, 0.2}) {
    torch::manual_seed(0);
    torch::nn::AnyModule model = build_model(s, kShape);
    auto optimizer = make_optimizer(model.ptr()->parameters(), s);
    model.ptr()->eval();  // same logits in both passes (no dropout)
    logits = model.forward(batch.x).detach();
    Trainer t(std::move(model), std::move(optimizer), get_schedule("constant"),
              100, {}, eps);
    t.module().eval();
    int64_t correct = 0;
    (eps == 0 ? plain : smoothed) = t.step(batch.x, batch.y, &correct);
  }
  const at::Tensor logp = at::log_softmax(logits, 1);
  const double ce =
      -logp.gather(1, batch.y.view({-1, 1})).mean().item<double>();
  const double uniform = -logp.mean(1).mean().item<double>();
  EXPECT_NEAR(plain, ce, 1e-5);
  EXPECT_NEAR(smoothed, 0.8 * ce + 0.2 * uniform, 1e-5);
}

TEST(Trainer, DivergenceIsReportedNotThrown) {
  Trainer t = make_trainer(spec("mlp", "sgd", 1e12));
  const PassStats s = t.train_epoch(blobs(256, 5), 16, 0, {});
  EXPECT_FALSE(s.finite);
}

TEST(Trainer, CheckpointRoundTrip) {
  const auto path =
      std::filesystem::temp_directory_path() / "mishlab_trainer.ckpt";
  Trainer t = make_trainer(spec("cnn", "adam", 1e-2));
  const TensorSet data = blobs(64, 6);
  t.train_epoch(data, 16, 0, {});
  t.save(path, 1, "[1]");
  const auto saved = snapshot(t.module());
  t.train_epoch(data, 16, 1, {});
  EXPECT_FALSE(same(saved, snapshot(t.module())));
  const auto restored = t.load(path);
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->epoch, 1);
  EXPECT_EQ(restored->history, "[1]");
  EXPECT_TRUE(same(saved, snapshot(t.module())));
  std::ofstream(path, std::ios::binary) << "not a checkpoint";
  EXPECT_FALSE(t.load(path).has_value());
  std::filesystem::remove(path);
  EXPECT_FALSE(t.load(path).has_value());
}

TEST(Models, EveryModelMapsImagesToClassScores) {
  for (const std::string& name : model_names()) {
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
