// Inputs and checks shared by the operator tests.
#ifndef MISH_TESTS_TORCH_INPUTS_HPP_
#define MISH_TESTS_TORCH_INPUTS_HPP_

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

namespace mish::testing {

// A dense sweep of [-100, 100] (both tails, the minimum near -1.19, the
// switch to mish(x) = x above 20) plus a cluster around 0, in float64.
inline at::Tensor wide_range() {
  return at::cat({at::linspace(-100, 100, 200001, at::kDouble),
                  at::linspace(-3, 3, 60001, at::kDouble)});
}

// f() throws a c10::Error whose message contains needle.
template <class F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning \"" << needle << "\"";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << e.what();
  }
}

}  // namespace mish::testing

#endif  // MISH_TESTS_TORCH_INPUTS_HPP_
