// Wrong arguments fail with a message that says what is wrong.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "inputs.hpp"
#include "mish/torch.hpp"

namespace {

using mish::testing::expect_error;

TEST(MishErrors, RejectsNonFloatingTypes) {
  for (const at::ScalarType type :
       {at::kInt, at::kLong, at::kByte, at::kBool, at::kComplexFloat}) {
    at::Tensor x = at::zeros({3}, type);
    expect_error([&] { mish::torch::mish(x); }, "floating-point");
    expect_error([&] { mish::torch::mish_(x); }, "floating-point");
    expect_error([&] { mish::torch::mish_backward(x, x); }, "floating-point");
  }
}

TEST(MishErrors, BackwardRejectsMismatchedArguments) {
  const at::Tensor x = at::randn({4, 5});
  expect_error(
      [&] {
        mish::torch::mish_backward(at::randn({5, 4}), x);
      },
      "same shape");
  expect_error([&] { mish::torch::mish_backward(at::randn({20}), x); },
               "same shape");
  expect_error([&] { mish::torch::mish_backward(x.to(at::kDouble), x); },
               "same dtype");
}

TEST(MishErrors, BackwardRejectsMismatchedDevices) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor x = at::randn({4, 5});
  expect_error([&] { mish::torch::mish_backward(x.cuda(), x); }, "same device");
  expect_error([&] { mish::torch::mish_backward(x, x.cuda()); }, "same device");
}

TEST(MishErrors, InPlaceOnExpandedTensorFails) {
  at::Tensor x = at::randn({1, 4}).expand({3, 4});
  EXPECT_THROW(mish::torch::mish_(x), c10::Error);
}

}  // namespace
