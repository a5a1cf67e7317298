// mish::nn::Mish as a drop-in module.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "mish/torch.hpp"

namespace {

TEST(MishModule, TrainsInSequential) {
  torch::manual_seed(0);
  torch::nn::Sequential net(
      torch::nn::Linear(4, 16), mish::nn::Mish(), torch::nn::Linear(16, 16),
      mish::nn::Mish(mish::nn::MishOptions().inplace(true)),
      torch::nn::Linear(16, 1));
  torch::optim::SGD optimizer(net->parameters(), 0.05);
  const at::Tensor x = torch::randn({64, 4});
  const at::Tensor target = x.sum(1, true).sin();
  float first = 0;
  float last = 0;
  for (int step = 0; step < 50; ++step) {
    optimizer.zero_grad();
    const at::Tensor loss = torch::mse_loss(net->forward(x), target);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<float>();
  }
  EXPECT_LT(last, first);
}

TEST(MishModule, MatchesTorchMishModule) {
  const at::Tensor x = torch::randn({3, 8});
  mish::nn::Mish ours;
  torch::nn::Mish theirs;
  EXPECT_TRUE(at::allclose(ours(x), theirs(x), 1e-5, 1e-7));
}

TEST(MishModule, InPlaceOverwritesInput) {
  at::Tensor x = torch::randn({10});
  const at::Tensor expected = at::mish(x);
  mish::nn::Mish inplace(mish::nn::MishOptions().inplace(true));
  const at::Tensor y = inplace(x);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_TRUE(at::allclose(x, expected, 1e-5, 1e-7));
}

TEST(MishModule, PrintsAndClones) {
  mish::nn::Mish m(mish::nn::MishOptions().inplace(true));
  std::ostringstream out;
  out << *m;
  EXPECT_EQ(out.str(), "mish::nn::Mish(inplace=true)");
  const auto copy = std::dynamic_pointer_cast<mish::nn::MishImpl>(m->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->options.inplace());
}

}  // namespace
