// The operator agrees with LibTorch's own mish wherever LibTorch is right,
// and gives the limits where it is not.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "inputs.hpp"
#include "mish/torch.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(MishAgreement, Float32ForwardMatchesTorch) {
  const at::Tensor x = mish::testing::wide_range().to(at::kFloat);
  // LibTorch loses up to ~50 ULP in the tail; subnormal results fall in atol.
  EXPECT_TRUE(at::allclose(mish::torch::mish(x), at::mish(x), 1e-5, 1e-38));
}

TEST(MishAgreement, Float32ForwardMatchesFloat64Reference) {
  const at::Tensor x = mish::testing::wide_range().to(at::kFloat);
  const at::Tensor reference = at::mish(x.to(at::kDouble));
  EXPECT_TRUE(at::allclose(mish::torch::mish(x).to(at::kDouble), reference,
                           5e-7, 1e-44));
}

TEST(MishAgreement, Float64ForwardMatchesTorch) {
  const at::Tensor x = mish::testing::wide_range();
  EXPECT_TRUE(at::allclose(mish::torch::mish(x), at::mish(x), 1e-13, 1e-300));
}

TEST(MishAgreement, Float32BackwardMatchesTorch) {
  const at::Tensor x = mish::testing::wide_range().to(at::kFloat);
  const at::Tensor dy = at::randn_like(x);
  // mish' has a root near -1.19: compare in absolute terms there.
  EXPECT_TRUE(at::allclose(mish::torch::mish_backward(dy, x),
                           at::mish_backward(dy, x), 1e-5, 1e-6));
}

TEST(MishAgreement, Float64BackwardMatchesTorch) {
  const at::Tensor x = mish::testing::wide_range();
  const at::Tensor dy = at::randn_like(x);
  EXPECT_TRUE(at::allclose(mish::torch::mish_backward(dy, x),
                           at::mish_backward(dy, x), 1e-12, 1e-14));
}

TEST(MishAgreement, SpecialValuesTakeTheirLimits) {
  for (const at::ScalarType type : {at::kFloat, at::kDouble}) {
    const at::Tensor x =
        at::tensor({kInf, -kInf, kNaN, -0.0, 0.0}, at::dtype(type));
    const at::Tensor y = mish::torch::mish(x).to(at::kDouble);
    const at::Tensor dx =
        mish::torch::mish_backward(at::ones_like(x), x).to(at::kDouble);
    EXPECT_EQ(y[0].item<double>(), kInf) << type;
    EXPECT_EQ(y[1].item<double>(), 0.0) << type;
    EXPECT_TRUE(std::signbit(y[1].item<double>())) << type;
    EXPECT_TRUE(std::isnan(y[2].item<double>())) << type;
    EXPECT_TRUE(std::signbit(y[3].item<double>())) << type;
    EXPECT_EQ(y[4].item<double>(), 0.0) << type;
    EXPECT_EQ(dx[0].item<double>(), 1.0) << type;
    EXPECT_EQ(dx[1].item<double>(), 0.0) << type;
    EXPECT_TRUE(std::isnan(dx[2].item<double>())) << type;
    EXPECT_NEAR(dx[4].item<double>(), 0.6, 1e-7) << type;
  }
}

}  // namespace
