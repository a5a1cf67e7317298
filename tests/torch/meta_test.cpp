// The Meta kernels from C++: results on the meta device have the shapes,
// dtypes and strides that the CPU kernels give, and the same errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "mish/torch.hpp"

namespace {

// A meta tensor laid out exactly as t, dense or not.
at::Tensor on_meta(const at::Tensor& t) {
  return at::empty_strided(t.sizes(), t.strides(),
                           t.options().device(at::kMeta));
}

void expect_same_layout(const at::Tensor& meta, const at::Tensor& cpu) {
  EXPECT_TRUE(meta.is_meta());
  EXPECT_EQ(meta.sizes(), cpu.sizes());
  EXPECT_EQ(meta.strides(), cpu.strides());
  EXPECT_EQ(meta.scalar_type(), cpu.scalar_type());
}

std::vector<at::Tensor> inputs() {
  return {at::randn({3, 5}),
          at::randn({2, 3, 4, 5}).contiguous(at::MemoryFormat::ChannelsLast),
          at::randn({6, 7}).t(),
          at::randn({8, 9}).slice(1, 1, 9, 3),
          at::randn({}),
          at::empty({0, 4}),
          at::randn({4, 4}, at::kBFloat16)};
}

TEST(MishMeta, ForwardAndBackwardLayouts) {
  for (const at::Tensor& x : inputs()) {
    SCOPED_TRACE(::testing::Message() << x.sizes() << " " << x.strides());
    expect_same_layout(mish::torch::mish(on_meta(x)), mish::torch::mish(x));
    const at::Tensor dy = at::randn(x.sizes()).to(x.scalar_type());
    expect_same_layout(mish::torch::mish_backward(on_meta(dy), on_meta(x)),
                       mish::torch::mish_backward(dy, x));
  }
}

TEST(MishMeta, InPlaceReturnsItsArgument) {
  for (const at::Tensor& x : inputs()) {
    at::Tensor meta = on_meta(x);
    const std::vector<int64_t> strides = meta.strides().vec();
    at::Tensor& result = mish::torch::mish_(meta);
    EXPECT_TRUE(result.is_same(meta));
    EXPECT_EQ(meta.strides().vec(), strides);
  }
}

TEST(MishMeta, SameErrors) {
  EXPECT_THROW(
      mish::torch::mish(at::empty({3}, at::dtype(at::kInt).device(at::kMeta))),
      c10::Error);
  const at::Tensor x = at::empty({4, 5}, at::device(at::kMeta));
  EXPECT_THROW(
      mish::torch::mish_backward(at::empty({5, 4}, at::device(at::kMeta)), x),
      c10::Error);
}

}  // namespace
