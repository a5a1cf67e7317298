// Any layout in, torch's layout rules out: dense inputs keep their strides,
// others come out contiguous; 0-dim and empty tensors work.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "mish/torch.hpp"

namespace {

void expect_matches_torch(const at::Tensor& x) {
  const at::Tensor y = mish::torch::mish(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_TRUE(at::allclose(y, at::mish(x), 1e-5, 1e-7));
  const at::Tensor dy = at::randn_like(x);
  EXPECT_TRUE(at::allclose(mish::torch::mish_backward(dy, x),
                           at::mish_backward(dy, x), 1e-5, 1e-6));
}

TEST(MishLayout, Transposed) {
  const at::Tensor x = at::randn({37, 53}).t();
  expect_matches_torch(x);
  EXPECT_EQ(mish::torch::mish(x).strides(), x.strides());
}

TEST(MishLayout, Strided) {
  const at::Tensor x = at::randn({64, 70}).slice(1, 3, 67, 2);
  ASSERT_FALSE(x.is_contiguous());
  expect_matches_torch(x);
}

TEST(MishLayout, ChannelsLast) {
  const at::Tensor x =
      at::randn({2, 3, 5, 7}).contiguous(at::MemoryFormat::ChannelsLast);
  expect_matches_torch(x);
  EXPECT_TRUE(
      mish::torch::mish(x).is_contiguous(at::MemoryFormat::ChannelsLast));
}

TEST(MishLayout, BackwardWithDifferentLayouts) {
  const at::Tensor x = at::randn({8, 9, 10});
  const at::Tensor dy = at::randn({10, 9, 8}).permute({2, 1, 0});
  EXPECT_TRUE(at::allclose(mish::torch::mish_backward(dy, x),
                           at::mish_backward(dy, x), 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(
      mish::torch::mish_backward(x.transpose(0, 2), dy.transpose(0, 2)),
      at::mish_backward(x.transpose(0, 2), dy.transpose(0, 2)), 1e-5, 1e-6));
}

TEST(MishLayout, ZeroDimAndEmpty) {
  expect_matches_torch(at::scalar_tensor(0.75));
  EXPECT_EQ(mish::torch::mish(at::scalar_tensor(0.75)).dim(), 0);
  const at::Tensor empty = at::empty({0, 3});
  EXPECT_EQ(mish::torch::mish(empty).sizes(), empty.sizes());
  at::Tensor empty_copy = empty.clone();
  EXPECT_EQ(mish::torch::mish_(empty_copy).numel(), 0);
}

TEST(MishLayout, InPlaceOnStridedView) {
  at::Tensor base = at::randn({16, 16});
  const at::Tensor expected = base.clone();
  expected.slice(1, 0, 16, 3).copy_(at::mish(expected.slice(1, 0, 16, 3)));
  at::Tensor view = base.slice(1, 0, 16, 3);
  mish::torch::mish_(view);
  EXPECT_TRUE(at::allclose(base, expected, 1e-5, 1e-7));
}

}  // namespace
