#include "train/radam.hpp"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

namespace mishlab {
namespace {

// LibTorch 1.x keys per-parameter state by the TensorImpl address printed as
// a string; 2.x keys it by the address itself. Follow whichever the headers
// declare so the saved state stays readable by torch::serialize.
using StateMap =
    std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;
using StateKey = typename StateMap::key_type;

template <typename Key>
Key state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream out;
    out << p.unsafeGetTensorImpl();
    return out.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

// Conv and linear weights only: biases and norm parameters have one dimension.
torch::Tensor centralized(const torch::Tensor& grad) {
  if (grad.dim() <= 1) return grad;
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < grad.dim(); ++d) dims.push_back(d);
  return grad - grad.mean(dims, /*keepdim=*/true);
}

}  // namespace

RAdamOptions::RAdamOptions(double lr) : lr_(lr) {}

void RAdamOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(centralize_gradients);
}

void RAdamOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, centralize_gradients);
}

void RAdamParamState::serialize(
    torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void RAdamParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

RAdamStepSize radam_step_size(int64_t t, double beta1, double beta2) {
  const double beta2_t = std::pow(beta2, static_cast<double>(t));
  const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
  const double rho_t =
      rho_inf - 2.0 * static_cast<double>(t) * beta2_t / (1.0 - beta2_t);
  const double bias1 = 1.0 - std::pow(beta1, static_cast<double>(t));
  if (rho_t <= 5.0) return {1.0 / bias1, false};
  const double rect = (1.0 - beta2_t) * (rho_t - 4.0) / (rho_inf - 4.0) *
                      (rho_t - 2.0) / rho_t * rho_inf / (rho_inf - 2.0);
  return {std::sqrt(rect) / bias1, true};
}

RAdam::RAdam(std::vector<torch::Tensor> params, RAdamOptions defaults)
    : Optimizer({torch::optim::OptimizerParamGroup(std::move(params))},
                std::make_unique<RAdamOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "invalid learning rate: ", defaults.lr());
  TORCH_CHECK(defaults.eps() >= 0, "invalid epsilon: ", defaults.eps());
  const auto [beta1, beta2] = defaults.betas();
  TORCH_CHECK(0 <= beta1 && beta1 < 1, "invalid beta1: ", beta1);
  TORCH_CHECK(0 <= beta2 && beta2 < 1, "invalid beta2: ", beta2);
  TORCH_CHECK(defaults.weight_decay() >= 0,
              "invalid weight decay: ", defaults.weight_decay());
}

torch::Tensor RAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const RAdamOptions&>(group.options());
    const auto [beta1, beta2] = options.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(!p.grad().is_sparse(), "RAdam does not support sparse grads");
      torch::Tensor grad =
          options.centralize_gradients() ? centralized(p.grad()) : p.grad();
      auto& slot = state_[state_key<StateKey>(p)];
      if (!slot) {
        auto fresh = std::make_unique<RAdamParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& state = static_cast<RAdamParamState&>(*slot);
      state.step(state.step() + 1);
      state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);

      if (options.weight_decay() != 0) {
        p.mul_(1 - options.lr() * options.weight_decay());
      }
      const auto size = radam_step_size(state.step(), beta1, beta2);
      if (size.adaptive) {
        const auto denom = state.exp_avg_sq().sqrt().add_(options.eps());
        p.addcdiv_(state.exp_avg(), denom, -size.factor * options.lr());
      } else {
        p.add_(state.exp_avg(), -size.factor * options.lr());
      }
    }
  }
  return loss;
}

void RAdam::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<RAdamParamState, RAdamOptions>(archive, *this);
}

void RAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<RAdamParamState, RAdamOptions>(archive, *this);
}

}  // namespace mishlab
