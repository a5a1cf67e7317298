// Gradients in float64: against central differences (what gradcheck does) and
// against LibTorch's own twice-differentiable mish, up to the third order.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "mish/torch.hpp"

namespace {

using Fn = at::Tensor (*)(const at::Tensor&);

at::Tensor ours(const at::Tensor& x) { return mish::torch::mish(x); }
at::Tensor theirs(const at::Tensor& x) { return at::mish(x); }

at::Tensor grad(const at::Tensor& y, const at::Tensor& x, const at::Tensor& v,
                bool create_graph) {
  return torch::autograd::grad({y}, {x}, {v}, true, create_graph)[0];
}

at::Tensor inputs() {
  torch::manual_seed(1);
  return at::cat({at::randn({256}, at::kDouble) * 4,
                  at::linspace(-30, 30, 61, at::kDouble)})
      .requires_grad_();
}

TEST(MishAutograd, GradientMatchesCentralDifferences) {
  const at::Tensor x = inputs();
  const at::Tensor v = at::randn_like(x);
  const at::Tensor g = grad(mish::torch::mish(x), x, v, false);
  const double h = 1e-6;
  const at::Tensor xd = x.detach();
  const at::Tensor numeric =
      v * (mish::torch::mish(xd + h) - mish::torch::mish(xd - h)) / (2 * h);
  EXPECT_TRUE(at::allclose(g, numeric, 1e-6, 1e-7));
}

TEST(MishAutograd, SecondDerivativeMatchesCentralDifferences) {
  const at::Tensor x = inputs();
  const at::Tensor v = at::ones_like(x);
  const at::Tensor g = grad(mish::torch::mish(x), x, v, true);
  const at::Tensor gg = grad(g, x, v, false);
  const double h = 1e-6;
  const at::Tensor xd = x.detach();
  const at::Tensor numeric = (mish::torch::mish_backward(v, xd + h) -
                              mish::torch::mish_backward(v, xd - h)) /
                             (2 * h);
  EXPECT_TRUE(at::allclose(gg, numeric, 1e-6, 1e-7));
}

// d/dx and d/dv of <w, v * mish'(x)>, ours and LibTorch's.
std::vector<at::Tensor> double_backward(Fn f, const at::Tensor& x,
                                        const at::Tensor& v,
                                        const at::Tensor& w) {
  const at::Tensor g = grad(f(x), x, v, true);
  return torch::autograd::grad({g}, {x, v}, {w}, true, true);
}

TEST(MishAutograd, DoubleBackwardMatchesTorch) {
  const at::Tensor x = inputs();
  const at::Tensor v = at::randn_like(x).requires_grad_();
  const at::Tensor w = at::randn_like(x);
  const auto a = double_backward(ours, x, v, w);
  const auto b = double_backward(theirs, x, v, w);
  EXPECT_TRUE(at::allclose(a[0], b[0], 1e-10, 1e-12));
  EXPECT_TRUE(at::allclose(a[1], b[1], 1e-10, 1e-12));
  // Third order: the double backward is differentiable too.
  const at::Tensor u = at::randn_like(x);
  const at::Tensor c = grad(a[0], x, u, false);
  const at::Tensor d = grad(b[0], x, u, false);
  EXPECT_TRUE(at::allclose(c, d, 1e-9, 1e-11));
}

TEST(MishAutograd, NoGraphWithoutGrad) {
  const at::Tensor x = inputs();
  {
    const torch::NoGradGuard no_grad;
    EXPECT_FALSE(mish::torch::mish(x).requires_grad());
  }
  EXPECT_TRUE(mish::torch::mish(x).requires_grad());
  EXPECT_FALSE(mish::torch::mish(x.detach()).requires_grad());
}

TEST(MishAutograd, InPlaceOnNonLeafBackpropagates) {
  const at::Tensor x = inputs();
  at::Tensor y = x * 1;
  mish::torch::mish_(y);
  const at::Tensor v = at::randn_like(x);
  EXPECT_TRUE(at::allclose(grad(y, x, v, false), grad(at::mish(x), x, v, false),
                           1e-12, 1e-14));
}

TEST(MishAutograd, InPlaceOnLeafRequiringGradFails) {
  at::Tensor x = inputs();
  EXPECT_THROW(
      {
        try {
          mish::torch::mish_(x);
        } catch (const c10::Error& e) {
          EXPECT_NE(std::string(e.what()).find("leaf Variable"),
                    std::string::npos);
          throw;
        }
      },
      c10::Error);
}

TEST(MishAutograd, InPlaceInvalidatesSavedInputs) {
  const at::Tensor w = at::randn({4}, at::kDouble).requires_grad_();
  at::Tensor x = at::randn({4}, at::kDouble);
  const at::Tensor y = (x * w).sum();  // saves x for w's gradient
  mish::torch::mish_(x);
  EXPECT_THROW(y.backward(), c10::Error);
}

}  // namespace
