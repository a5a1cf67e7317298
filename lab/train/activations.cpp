#include "train/activations.hpp"

#include <torch/autograd.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>

#include <map>
#include <mish/torch.hpp>

#include "common/error.hpp"

namespace mishlab {

namespace {

using Fn = std::function<at::Tensor(const at::Tensor&)>;

// A stateless activation given as a function of the input.
class FunctionActivationImpl : public torch::nn::Module {
 public:
  FunctionActivationImpl(std::string name, Fn fn)
      : name_(std::move(name)), fn_(std::move(fn)) {}
  at::Tensor forward(const at::Tensor& x) { return fn_(x); }
  void pretty_print(std::ostream& stream) const override { stream << name_; }

 private:
  std::string name_;
  Fn fn_;
};
TORCH_MODULE(FunctionActivation);

struct Entry {
  ActivationInfo info;
  std::function<torch::nn::AnyModule()> make;
};

Entry fn(std::string name, std::string formula, Fn f) {
  return {{name, std::move(formula)}, [name, f] {
            return torch::nn::AnyModule(FunctionActivation(name, f));
          }};
}

// The activations of the Mish paper's comparisons, in its order of interest.
const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      {{"mish", "x * tanh(softplus(x))"},
       [] { return torch::nn::AnyModule(mish::nn::Mish()); }},
      fn("swish", "x * sigmoid(x) (SiLU)", [](auto& x) { return at::silu(x); }),
      fn("silu", "same as swish", [](auto& x) { return at::silu(x); }),
      fn("gelu", "x * Phi(x)", [](auto& x) { return at::gelu(x); }),
      fn("relu", "max(0, x)", [](auto& x) { return at::relu(x); }),
      fn("leaky_relu", "x if x > 0 else 0.01 x",
         [](auto& x) { return at::leaky_relu(x, 0.01); }),
      {{"prelu", "x if x > 0 else a x, a learned (starts at 0.25)"},
       [] { return torch::nn::AnyModule(torch::nn::PReLU()); }},
      {{"rrelu", "x if x > 0 else a x, a ~ U(1/8, 1/3) in training"},
       [] { return torch::nn::AnyModule(torch::nn::RReLU()); }},
      fn("elu", "x if x > 0 else e^x - 1", [](auto& x) { return at::elu(x); }),
      fn("selu", "1.0507 * (x if x > 0 else 1.6733 (e^x - 1))",
         [](auto& x) { return at::selu(x); }),
      fn("celu", "max(0, x) + min(0, e^x - 1)",
         [](auto& x) { return at::celu(x, 1.0); }),
      fn("softplus", "log(1 + e^x)", [](auto& x) { return at::softplus(x); }),
      fn("tanh", "tanh(x)", [](auto& x) { return at::tanh(x); }),
      fn("sigmoid", "1 / (1 + e^-x)", [](auto& x) { return at::sigmoid(x); }),
      fn("hard_sigmoid", "clamp(x / 6 + 1/2, 0, 1)",
         [](auto& x) { return at::hardsigmoid(x); }),
      fn("softsign", "x / (1 + |x|)",
         [](auto& x) { return x / (at::abs(x) + 1); }),
      fn("bent_identity", "(sqrt(x^2 + 1) - 1) / 2 + x",
         [](auto& x) { return (at::sqrt(x * x + 1) - 1) / 2 + x; }),
      fn("isru", "x / sqrt(1 + x^2)",
         [](auto& x) { return x * at::rsqrt(x * x + 1); }),
      fn("aria2", "x * (1 + e^-x)^-1.5 (beta 1, alpha 1.5)",
         [](auto& x) { return x * at::pow(at::sigmoid(x), 1.5); }),
      fn("hardswish", "x * clamp(x + 3, 0, 6) / 6",
         [](auto& x) { return at::hardswish(x); }),
      fn("thresholded_relu", "x if x > 1 else 0",
         [](auto& x) { return at::threshold(x, 1.0, 0.0); }),
  };
  return table;
}

const Entry& find(const std::string& name) {
  for (const Entry& e : entries()) {
    if (e.info.name == name) return e;
  }
  throw Error("unknown activation '" + name + "' (see `mish-lab activations`)");
}

}  // namespace

const std::vector<ActivationInfo>& activation_catalog() {
  static const std::vector<ActivationInfo> infos = [] {
    std::vector<ActivationInfo> out;
    for (const Entry& e : entries()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const Entry& e : entries()) names.push_back(e.info.name);
  return names;
}

torch::nn::AnyModule make_activation(const std::string& name) {
  return find(name).make();
}

Curve activation_curve(const std::string& name, const std::vector<double>& x) {
  torch::nn::AnyModule act = make_activation(name);
  act.ptr()->eval();
  at::Tensor in = at::tensor(x, at::kFloat).requires_grad_(true);
  at::Tensor out = act.forward(in);
  out.sum().backward();
  const at::Tensor y = out.detach().to(at::kDouble).contiguous();
  const at::Tensor dy = in.grad().to(at::kDouble).contiguous();
  Curve c;
  c.y.assign(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
  c.dy.assign(dy.data_ptr<double>(), dy.data_ptr<double>() + dy.numel());
  return c;
}

}  // namespace mishlab
