#pragma once

// The activations a run can use, by name; "mish" is the project's
// mish::nn::Mish, the others LibTorch's functions.

#include <torch/nn/modules/container/any.h>

#include <string>
#include <vector>

namespace mishlab {

struct ActivationInfo {
  std::string name;
  std::string formula;
};
const std::vector<ActivationInfo>& activation_catalog();
std::vector<std::string> activation_names();

// A fresh activation module; throws Error for an unknown name.
torch::nn::AnyModule make_activation(const std::string& name);

// f(x) and f'(x) of an activation (evaluation mode, float32, autograd), for
// plots and tests.
struct Curve {
  std::vector<double> y;
  std::vector<double> dy;
};
Curve activation_curve(const std::string& name, const std::vector<double>& x);

}  // namespace mishlab
