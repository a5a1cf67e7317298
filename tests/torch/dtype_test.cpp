// bfloat16 and float16: the float32 result rounded once, forward and backward.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "inputs.hpp"
#include "mish/torch.hpp"

namespace {

struct Case {
  at::ScalarType type;
  double rtol;  // half an ULP of the type, plus float32's own error
  double atol;  // the spacing of its subnormals
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.type; }

class MishDtype : public ::testing::TestWithParam<Case> {};

TEST_P(MishDtype, ForwardIsFloat32Rounded) {
  const Case c = GetParam();
  const at::Tensor x = mish::testing::wide_range().to(c.type);
  const at::Tensor y = mish::torch::mish(x);
  ASSERT_EQ(y.scalar_type(), c.type);
  const at::Tensor expected = mish::torch::mish(x.to(at::kFloat)).to(c.type);
  EXPECT_TRUE(
      at::allclose(y.to(at::kFloat), expected.to(at::kFloat), c.rtol, c.atol));
}

TEST_P(MishDtype, BackwardIsFloat32Rounded) {
  const Case c = GetParam();
  const at::Tensor x = mish::testing::wide_range().to(c.type);
  const at::Tensor dy = at::randn(x.sizes()).to(c.type);
  const at::Tensor dx = mish::torch::mish_backward(dy, x);
  ASSERT_EQ(dx.scalar_type(), c.type);
  const at::Tensor expected =
      mish::torch::mish_backward(dy.to(at::kFloat), x.to(at::kFloat))
          .to(c.type);
  EXPECT_TRUE(
      at::allclose(dx.to(at::kFloat), expected.to(at::kFloat), c.rtol, c.atol));
}

TEST_P(MishDtype, InPlaceMatchesOutOfPlace) {
  const Case c = GetParam();
  at::Tensor x = mish::testing::wide_range().to(c.type);
  const at::Tensor y = mish::torch::mish(x);
  EXPECT_TRUE(at::equal(mish::torch::mish_(x), y));
}

INSTANTIATE_TEST_SUITE_P(SixteenBit, MishDtype,
                         ::testing::Values(Case{at::kBFloat16, 1.0 / 128,
                                                1e-38},
                                           Case{at::kHalf, 1.0 / 1024, 6e-8}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return param.param.type == at::kHalf ? "Float16"
                                                                : "BFloat16";
                         });

}  // namespace
