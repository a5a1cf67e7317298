#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "train/lookahead.hpp"
#include "train/radam.hpp"
#include "train/ranger.hpp"

namespace mishlab {
namespace {

torch::Tensor scalar_param(double value) {
  return torch::full({1}, value, torch::kFloat64).requires_grad_(true);
}

void set_grad(torch::Tensor& p, const torch::Tensor& grad) {
  p.mutable_grad() = grad.reshape(p.sizes());
}

void set_grad(torch::Tensor& p, double grad) {
  set_grad(p, torch::full({1}, grad, torch::kFloat64));
}

double value(const torch::Tensor& p) { return p.item<double>(); }

TEST(RAdamStepSize, RectifiesFromStepSixWithBeta2Of0999) {
  // rho_5 = 4.996 and rho_6 = 5.994 for beta2 = 0.999.
  for (int64_t t = 1; t <= 5; ++t) {
    const auto size = radam_step_size(t, 0.95, 0.999);
    EXPECT_FALSE(size.adaptive) << t;
    EXPECT_DOUBLE_EQ(size.factor, 1 / (1 - std::pow(0.95, t)));
  }
  EXPECT_TRUE(radam_step_size(6, 0.95, 0.999).adaptive);
}

// A constant gradient g makes the first five steps plain momentum steps of
// exactly lr * g; the sixth is rectified:
//   lr * sqrt(r6) g / (sqrt(1 - beta2^6) g + eps) = 0.0025814439206229465
// for lr 0.1, g 0.5, betas (0.95, 0.999), eps 1e-5 (computed by hand).
TEST(RAdam, FirstStepsMatchHandComputedValues) {
  auto p = scalar_param(1.0);
  RAdam opt({p}, RAdamOptions(0.1).betas({0.95, 0.999}).eps(1e-5));
  for (int t = 1; t <= 5; ++t) {
    set_grad(p, 0.5);
    opt.step();
    EXPECT_NEAR(value(p), 1.0 - t * 0.05, 1e-15) << "step " << t;
  }
  set_grad(p, 0.5);
  opt.step();
  EXPECT_NEAR(value(p), 0.747418556079377, 1e-15);
}

// The same recurrences written out in doubles, for a gradient that changes.
TEST(RAdam, FollowsTheRecurrenceForVaryingGradients) {
  const std::vector<double> grads = {0.5, -0.2, 0.8, 0.1, -0.4, 0.3, 0.6, -0.9};
  const double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
  auto p = scalar_param(2.0);
  RAdam opt({p}, RAdamOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd));
  double x = 2.0, m = 0, v = 0;
  const double rho_inf = 2 / (1 - b2) - 1;
  for (size_t i = 0; i < grads.size(); ++i) {
    const double t = static_cast<double>(i + 1), g = grads[i];
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    x *= 1 - lr * wd;
    const double b2t = std::pow(b2, t);
    const double rho = rho_inf - 2 * t * b2t / (1 - b2t);
    const double mhat = m / (1 - std::pow(b1, t));
    if (rho > 5) {
      const double r = (rho - 4) * (rho - 2) * rho_inf /
                       ((rho_inf - 4) * (rho_inf - 2) * rho);
      x -= lr * std::sqrt(r * (1 - b2t)) * mhat / (std::sqrt(v) + eps);
    } else {
      x -= lr * mhat;
    }
    set_grad(p, g);
    opt.step();
    EXPECT_NEAR(value(p), x, 1e-14) << "step " << t;
  }
}

TEST(RAdam, CentralizesMatrixGradientsOnly) {
  auto w = torch::zeros({2, 3}, torch::kFloat64).requires_grad_(true);
  auto b = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  RAdam opt({w, b}, RAdamOptions(1.0).centralize_gradients(true));
  const auto gw =
      torch::tensor({{1.0, 2.0, 6.0}, {-1.0, 0.0, 4.0}}, torch::kFloat64);
  const auto gb = torch::tensor({3.0, 5.0}, torch::kFloat64);
  set_grad(w, gw);
  set_grad(b, gb);
  opt.step();  // first step: p -= lr * g (un-rectified momentum)
  const auto expected_w =
      -torch::tensor({{-2.0, -1.0, 3.0}, {-2.0, -1.0, 3.0}}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(w, expected_w, 0, 1e-14)) << w;
  EXPECT_TRUE(torch::allclose(b, -gb, 0, 1e-14)) << b;
}

TEST(Lookahead, SyncsEveryKStepsAroundAnyOptimizer) {
  auto p = scalar_param(0.0);
  Lookahead<torch::optim::SGD> opt({p}, torch::optim::SGDOptions(0.1),
                                   LookaheadOptions().k(2).alpha(0.5));
  const std::vector<double> expected = {-0.1, -0.1, -0.2, -0.2, -0.3};
  for (double e : expected) {
    set_grad(p, 1.0);
    opt.step();
    EXPECT_NEAR(value(p), e, 1e-15);
  }
}

// Ranger = RAdam + Lookahead(k 6, alpha 0.5): after the sixth step the
// weights return halfway to where they started.
TEST(Ranger, SyncsSlowWeightsAtStepSix) {
  auto p = scalar_param(1.0);
  Ranger opt({p}, RangerOptions().lr(0.1));
  for (int t = 1; t <= 5; ++t) {
    set_grad(p, 0.5);
    opt.step();
    EXPECT_NEAR(value(p), 1.0 - t * 0.05, 1e-15) << "step " << t;
  }
  set_grad(p, 0.5);
  opt.step();
  EXPECT_NEAR(value(p), 1 - 0.5 * (0.25 + 0.0025814439206229465), 1e-15);
  EXPECT_NEAR(value(p), 0.8737092780396886, 1e-15);
}

TEST(Ranger, HasTheReferenceDefaults) {
  auto p = scalar_param(1.0);
  Ranger opt({p});
  const auto& o = static_cast<const RAdamOptions&>(opt.defaults());
  EXPECT_EQ(o.lr(), 1e-3);
  EXPECT_EQ(std::get<0>(o.betas()), 0.95);
  EXPECT_EQ(std::get<1>(o.betas()), 0.999);
  EXPECT_EQ(o.eps(), 1e-5);
}

TEST(Ranger, SaveAndLoadResumeTheSameTrajectory) {
  torch::manual_seed(1);
  const auto init = torch::randn({3, 4}, torch::kFloat64);
  const auto grads = torch::randn({12, 3, 4}, torch::kFloat64);
  auto options =
      RangerOptions().lr(0.05).weight_decay(0.01).centralize_gradients(true);

  auto a = init.clone().requires_grad_(true);
  Ranger first({a}, options);
  for (int t = 0; t < 4; ++t) {
    set_grad(a, grads[t]);
    first.step();
  }
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    first.save(archive);
    archive.save_to(saved);
  }
  auto b = a.detach().clone().requires_grad_(true);
  Ranger second({b}, options);
  {
    torch::serialize::InputArchive archive;
    archive.load_from(saved);
    second.load(archive);
  }
  for (int t = 4; t < 12; ++t) {  // crosses the syncs at steps 6 and 12
    set_grad(a, grads[t]);
    set_grad(b, grads[t]);
    first.step();
    second.step();
  }
  EXPECT_TRUE(torch::equal(a, b));
}

}  // namespace
}  // namespace mishlab
