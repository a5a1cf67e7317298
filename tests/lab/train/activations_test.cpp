// Every activation's value and gradient against a float64 reference.

#include "train/activations.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <mish/torch.hpp>

#include "common/error.hpp"

namespace mishlab {
namespace {

using Ref = std::function<double(double)>;

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

const std::map<std::string, Ref>& references() {
  static const std::map<std::string, Ref> refs = {
      {"mish", [](double x) { return x * std::tanh(std::log1p(std::exp(x))); }},
      {"swish", [](double x) { return x * sigmoid(x); }},
      {"silu", [](double x) { return x * sigmoid(x); }},
      {"gelu",
       [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"relu", [](double x) { return std::max(0.0, x); }},
      {"leaky_relu", [](double x) { return x > 0 ? x : 0.01 * x; }},
      {"prelu", [](double x) { return x > 0 ? x : 0.25 * x; }},
      // Evaluation mode: the mean of the training slopes U(1/8, 1/3).
      {"rrelu",
       [](double x) { return x > 0 ? x : (1.0 / 8 + 1.0 / 3) / 2 * x; }},
      {"elu", [](double x) { return x > 0 ? x : std::expm1(x); }},
      {"selu",
       [](double x) {
         return 1.0507009873554805 *
                (x > 0 ? x : 1.6732632423543772 * std::expm1(x));
       }},
      {"celu",
       [](double x) {
         return std::max(0.0, x) + std::min(0.0, std::expm1(x));
       }},
      {"softplus", [](double x) { return std::log1p(std::exp(x)); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"sigmoid", sigmoid},
      {"hard_sigmoid",
       [](double x) { return std::clamp(x / 6 + 0.5, 0.0, 1.0); }},
      {"softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"bent_identity",
       [](double x) { return (std::sqrt(x * x + 1) - 1) / 2 + x; }},
      {"isru", [](double x) { return x / std::sqrt(1 + x * x); }},
      {"aria2", [](double x) { return x * std::pow(sigmoid(x), 1.5); }},
      {"hardswish",
       [](double x) { return x * std::clamp(x + 3, 0.0, 6.0) / 6; }},
      {"thresholded_relu", [](double x) { return x > 1 ? x : 0.0; }},
  };
  return refs;
}

// Away from the kinks at 0, 1 and +-3 so that central differences hold.
const std::vector<double> kPoints = {-7.5, -5.5, -2.7, -1.3, -0.4, -0.05, 0.05,
                                     0.35, 0.8,  1.6,  2.4,  4.2,  8.9};

TEST(Activations, TheCatalogHoldsThePapersActivations) {
  EXPECT_GE(activation_catalog().size(), 16u);
  for (const auto& info : activation_catalog()) {
    EXPECT_TRUE(references().count(info.name))
        << info.name << " has no reference";
    EXPECT_FALSE(info.formula.empty());
  }
}

TEST(Activations, ValuesAndGradientsMatchTheReference) {
  for (const auto& info : activation_catalog()) {
    const Ref& f = references().at(info.name);
    const Curve c = activation_curve(info.name, kPoints);
    for (size_t i = 0; i < kPoints.size(); ++i) {
      const double x = kPoints[i];
      const double h = 1e-6;
      const double dy = (f(x + h) - f(x - h)) / (2 * h);
      EXPECT_NEAR(c.y[i], f(x), 2e-6 + 2e-6 * std::fabs(f(x)))
          << info.name << "(" << x << ")";
      EXPECT_NEAR(c.dy[i], dy, 2e-5 + 2e-5 * std::fabs(dy))
          << info.name << "'(" << x << ")";
    }
  }
}

TEST(Activations, MishIsTheProjectsOperator) {
  const at::Tensor x = at::linspace(-20, 20, 101);
  torch::nn::AnyModule m = make_activation("mish");
  EXPECT_TRUE(at::equal(m.forward(x), mish::torch::mish(x)));
  EXPECT_NE(m.ptr()->name().find("Mish"), std::string::npos) << m.ptr()->name();
}

TEST(Activations, UnknownNameIsAnError) {
  EXPECT_THROW(make_activation("nope"), Error);
}

}  // namespace
}  // namespace mishlab
