// Ranger: RAdam inside Lookahead, the optimizer of the Mish leaderboard runs.
#pragma once

#include <torch/arg.h>

#include <vector>

#include "train/lookahead.hpp"
#include "train/radam.hpp"

namespace mishlab {

// Defaults of the reference Ranger: lr 1e-3, betas (0.95, 0.999), eps 1e-5,
// k 6, alpha 0.5.
struct RangerOptions {
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(RAdamOptions::betas_t, betas) = std::make_tuple(0.95, 0.999);
  TORCH_ARG(double, eps) = 1e-5;
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(bool, centralize_gradients) = false;
  TORCH_ARG(int64_t, k) = 6;
  TORCH_ARG(double, alpha) = 0.5;
};

class Ranger : public Lookahead<RAdam> {
 public:
  explicit Ranger(std::vector<torch::Tensor> params,
                  RangerOptions options = {});
};

}  // namespace mishlab
