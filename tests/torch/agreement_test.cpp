// The operator meets the kernels' accuracy contract (tests/core/contract.h)
// through LibTorch, agrees with LibTorch's own mish wherever LibTorch is
// right, and gives the limits where it is not.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "inputs.hpp"
#include "mish/torch/ops.hpp"
#include "tests/core/contract.h"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(MishAgreement, Float32ForwardMatchesTorch) {
  const at::Tensor x = mish::testing::wide_range().to(at::kFloat);
  // LibTorch loses up to ~50 ULP in the tail; subnormal results fall in atol.
  EXPECT_TRUE(at::allclose(mish::torch::mish(x), at::mish(x), 1e-5, 1e-38));
}

// Every element of the wide range, forward and backward (dy = 1), within
// the contract's bounds of the float64 reference.
TEST(MishContract, Float32) {
  const at::Tensor x = mish::testing::wide_range().to(at::kFloat);
  const at::Tensor y = mish::torch::mish(x);
  const at::Tensor dx = mish::torch::mish_backward(at::ones_like(x), x);
  const float* px = x.data_ptr<float>();
  const float* py = y.data_ptr<float>();
  const float* pdx = dx.data_ptr<float>();
  mish::contract::Report32 report;
  for (int64_t i = 0; i < x.numel(); ++i) report.Add(px[i], py[i], pdx[i]);
  EXPECT_TRUE(report.Ok()) << "forward " << report.forward.err << " ulp at "
                           << report.forward.at << ", backward "
                           << report.backward_ulp.err << " ulp at "
                           << report.backward_ulp.at << ", "
                           << report.backward_abs.err << " absolute at "
                           << report.backward_abs.at;
}

// The 16-bit forward within one step of the reference rounded once.
TEST(MishContract, SixteenBitForward) {
  const at::Tensor wide = mish::testing::wide_range().to(at::kFloat);
  for (const auto& [type, format] :
       {std::pair{at::kBFloat16, &mish::contract::kBf16},
        std::pair{at::kHalf, &mish::contract::kF16}}) {
    const at::Tensor x = wide.to(type);
    const at::Tensor y = mish::torch::mish(x).contiguous();
    const at::Tensor xs = x.to(at::kFloat);
    const float* px = xs.data_ptr<float>();
    const auto* bits = static_cast<const uint16_t*>(y.data_ptr());
    int64_t wrong = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (mish::contract::Steps16(*format, bits[i], mish::ref::Mish(px[i])) >
          mish::contract::kMaxSteps16) {
        ADD_FAILURE() << format->name << " at x = " << px[i];
        if (++wrong == 10) break;
      }
    }
  }
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
