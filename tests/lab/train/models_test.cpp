// The networks with --fused-bn-mish: the same initial weights and the same
// outputs and gradients as with separate BatchNorm2d and Mish, for the same
// seed; every batch norm that Mish follows is fused.
#include "train/models.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mish/torch.hpp>

#include "train/run_spec.hpp"

namespace mishlab {
namespace {

torch::nn::AnyModule build(const std::string& model, bool fused, bool sa) {
  RunSpec spec;
  spec.activation = "mish";
  spec.train.model = model;
  spec.train.widen = 0.25;
  spec.train.sa = sa;
  spec.train.fused_bn_mish = fused;
  torch::manual_seed(7);
  return build_model(spec, DataShape{1, 28, 28, 10});
}

int count_fused(torch::nn::Module& m) {
  int n = 0;
  for (const auto& child : m.modules()) {
    n += child->as<mish::nn::BatchNormMish2d>() != nullptr;
  }
  return n;
}

// The sum of the squares of all parameters: equal when the same weights sit
// in a different order.
double weight_norm(torch::nn::Module& m) {
  double sum = 0;
  for (const auto& p : m.parameters()) sum += p.square().sum().item<double>();
  return sum;
}

struct Case {
  const char* model;
  bool sa;
  int fused_layers;  // BatchNormMish2d layers in the fused network
};

class FusedModels : public testing::TestWithParam<Case> {};

TEST_P(FusedModels, MatchUnfusedNetworks) {
  const Case c = GetParam();
  torch::nn::AnyModule plain = build(c.model, false, c.sa);
  torch::nn::AnyModule fused = build(c.model, true, c.sa);
  auto& p = *plain.ptr();
  auto& f = *fused.ptr();
  EXPECT_EQ(count_fused(p), 0);
  EXPECT_EQ(count_fused(f), c.fused_layers);
  ASSERT_EQ(p.parameters().size(), f.parameters().size());
  EXPECT_EQ(weight_norm(p), weight_norm(f));

  const at::Tensor x = torch::randn({6, 1, 28, 28});
  torch::manual_seed(1);  // the same dropout masks
  const at::Tensor yp = plain.forward(x);
  torch::manual_seed(1);
  const at::Tensor yf = fused.forward(x);
  EXPECT_TRUE(torch::allclose(yf, yp, 1e-4, 1e-5))
      << (yf - yp).abs().max().item<float>();
  yp.square().sum().backward();
  yf.square().sum().backward();
  double gp = 0;
  double gf = 0;
  for (const auto& t : p.parameters())
    gp += t.grad().square().sum().item<double>();
  for (const auto& t : f.parameters())
    gf += t.grad().square().sum().item<double>();
  EXPECT_NEAR(gf, gp, 1e-4 * gp);

  p.eval();
  f.eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(fused.forward(x), plain.forward(x), 1e-4, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(
    Models, FusedModels,
    testing::Values(Case{"cnn", false, 2},
                    // The stem, then each block's two.
                    Case{"resnet20", false, 1 + 9 * 2},
                    // Stem 3; 8 blocks of 2.
                    Case{"xresnet18", false, 3 + 8 * 2},
                    // Self-attention sits between the last batch norm of
                    // one block and its activation: that pair stays apart.
                    Case{"xresnet18", true, 3 + 8 * 2 - 1},
                    // Stem 3; 16 bottlenecks of 3.
                    Case{"xresnet50", false, 3 + 16 * 3},
                    // Every convolution's: stem 1; per stage down, route,
                    // main in and out, merge, and 2 per residual block.
                    Case{"cspdarknet53", false,
                         1 + 5 * 5 + 2 * (1 + 2 + 8 + 8 + 4)}),
    [](const testing::TestParamInfo<Case>& p) {
      return std::string(p.param.model) + (p.param.sa ? "_sa" : "");
    });

TEST(FusedModels, OnlyMishRunsFuse) {
  RunSpec spec;
  spec.activation = "relu";
  spec.train.model = "resnet20";
  spec.train.fused_bn_mish = true;
  torch::nn::AnyModule m = build_model(spec, DataShape{1, 28, 28, 10});
  EXPECT_EQ(count_fused(*m.ptr()), 0);
}

}  // namespace
}  // namespace mishlab
