// RAdam (Liu et al. 2019) in the form the Ranger optimizer uses: the
// second-moment estimate is trusted only once its variance is tractable
// (rho_t > 5); before that the step is plain bias-corrected momentum.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/optim/serialize.h>

#include <tuple>
#include <vector>

namespace mishlab {

struct RAdamOptions
    : public torch::optim::OptimizerCloneableOptions<RAdamOptions> {
  using betas_t = std::tuple<double, double>;
  RAdamOptions(double lr = 1e-3);  // NOLINT: implicit like LibTorch's options
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TORCH_ARG(double, eps) = 1e-8;
  // Decoupled (AdamW-style): p -= lr * weight_decay * p before the step.
  TORCH_ARG(double, weight_decay) = 0;
  // Gradient centralisation: subtract the mean over all but the first
  // dimension from the gradients of conv and linear weights.
  TORCH_ARG(bool, centralize_gradients) = false;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double value) override { lr(value); }
};

struct RAdamParamState
    : public torch::optim::OptimizerCloneableParamState<RAdamParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

// The step factor of RAdam for step t (1-based): the multiplier of lr in
// front of m / (sqrt(v) + eps) when `adaptive`, else in front of m.
struct RAdamStepSize {
  double factor;
  bool adaptive;
};
RAdamStepSize radam_step_size(int64_t t, double beta1, double beta2);

class RAdam : public torch::optim::Optimizer {
 public:
  explicit RAdam(std::vector<torch::Tensor> params, RAdamOptions defaults = {});

  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace mishlab
