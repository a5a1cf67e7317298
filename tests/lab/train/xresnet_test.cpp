#include "train/xresnet.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

#include "train/self_attention.hpp"

namespace mishlab {
namespace {

ActivationFactory relu() {
  return [] { return torch::nn::AnyModule(torch::nn::ReLU()); };
}

int64_t count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// By hand, weights + BatchNorm (gamma, beta) per conv:
//   stem 3->32->32->64 (3x3):                     28,768
//   stage 1 (64 -> 256, 3 bottlenecks):          215,808
//   stage 2 (256 -> 512, 4):                   1,219,584
//   stage 3 (512 -> 1024, 6):                  7,098,368
//   stage 4 (1024 -> 2048, 3):                14,964,736
//   features:                                 23,527,264 (the "23.5M")
//   classifier 2048 x 1000 + 1000:             2,049,000
TEST(XResNet, Xresnet50HasTheHandCountedParameters) {
  XResNet net(XResNetOptions{50, 3, 1000, 1.0, false, false, false, relu()});
  EXPECT_EQ(count(*net->body), 23'527'264);
  EXPECT_EQ(count(*net->head), 2'049'000);
  EXPECT_EQ(count(*net), 25'576'264);
}

TEST(XResNet, SelfAttentionAddsOneSquareConvAndGamma) {
  const auto base =
      XResNetOptions{50, 3, 1000, 1.0, false, false, false, relu()};
  auto with_sa = base;
  with_sa.self_attention = true;
  EXPECT_EQ(count(*XResNet(with_sa)) - count(*XResNet(base)), 256 * 256 + 1);
}

TEST(XResNet, ClassifiesImagenetteAndFashionMnistShapes) {
  torch::NoGradGuard no_grad;
  XResNet big(XResNetOptions{18, 3, 10, 0.25, false, true, false, relu()});
  big->eval();
  EXPECT_EQ(big->forward(torch::randn({2, 3, 64, 64})).sizes(),
            (std::vector<int64_t>{2, 10}));
  XResNet small(XResNetOptions{34, 1, 10, 0.25, true, true, true, relu()});
  small->eval();
  EXPECT_EQ(small->forward(torch::randn({3, 1, 28, 28})).sizes(),
            (std::vector<int64_t>{3, 10}));
}

TEST(XResNet, RejectsUnknownDepths) {
  EXPECT_THROW(
      XResNet(XResNetOptions{101, 3, 10, 1.0, false, false, false, relu()}),
      std::invalid_argument);
}

TEST(SimpleSelfAttention, IsTheIdentityAtInitAndKeepsShapes) {
  SimpleSelfAttention sa(8);
  const auto x = torch::randn({2, 8, 5, 3});
  const auto y = sa->forward(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_TRUE(torch::equal(y, x));
  y.sum().backward();  // gamma still learns from zero
  EXPECT_NE(sa->gamma.grad().item<float>(), 0.0f);
}

TEST(SimpleSelfAttention, ComputesGammaXXtWxPlusX) {
  torch::NoGradGuard no_grad;
  for (bool symmetric : {false, true}) {
    SimpleSelfAttention sa(4, symmetric);
    sa->gamma.fill_(0.5);
    const auto x = torch::randn({2, 4, 3, 3}, torch::kFloat64);
    sa->to(torch::kFloat64);
    auto w = sa->conv->weight.view({4, 4});
    if (symmetric) w = (w + w.t()) / 2;
    const auto f = x.view({2, 4, 9});
    const auto expected =
        0.5 * torch::matmul(torch::matmul(f, f.transpose(1, 2)),
                            torch::matmul(w, f)) +
        f;
    EXPECT_TRUE(torch::allclose(sa->forward(x), expected.view({2, 4, 3, 3})))
        << symmetric;
  }
}

}  // namespace
}  // namespace mishlab
