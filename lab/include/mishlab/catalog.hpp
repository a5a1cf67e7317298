#pragma once

#include <string>
#include <vector>

namespace mishlab {

// What can be named on the command line. These lists come from the registries
// in nn.hpp, so names registered by plugged-in code (lab/recipe) appear too.
struct ActivationInfo {
  std::string name;
  std::string formula;
};
const std::vector<ActivationInfo>& activation_catalog();
std::vector<std::string> model_names();
std::vector<std::string> init_names();
std::vector<std::string> optimizer_names();
std::vector<std::string> schedule_names();

// f(x) and f'(x) of an activation (evaluation mode, float32, autograd), for
// plots and tests.
struct Curve {
  std::vector<double> y;
  std::vector<double> dy;
};
Curve activation_curve(const std::string& name, const std::vector<double>& x);

}  // namespace mishlab
