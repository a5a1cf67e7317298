// Lookahead (Zhang et al. 2019): keep a slow copy of the weights; every k
// steps of the inner optimizer move it a fraction alpha towards the fast
// weights and restart the fast weights from it.
#pragma once

#include <torch/arg.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace mishlab {

struct LookaheadOptions {
  TORCH_ARG(int64_t, k) = 6;
  TORCH_ARG(double, alpha) = 0.5;
};

// The slow weights of every parameter of an optimizer, in param-group order.
class SlowWeights {
 public:
  explicit SlowWeights(LookaheadOptions options);

  // Copies the weights as they are before the first inner step.
  void before_step(const std::vector<torch::optim::OptimizerParamGroup>& g);
  // Counts the inner step and synchronises every k steps.
  void after_step(const std::vector<torch::optim::OptimizerParamGroup>& g);

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  LookaheadOptions options_;
  int64_t steps_ = 0;
  std::vector<torch::Tensor> slow_;
};

// Wraps any LibTorch optimizer type: Lookahead<torch::optim::Adam>,
// Lookahead<RAdam>. The learning rate and state stay the inner optimizer's,
// so schedules and torch::serialize see an ordinary optimizer.
template <typename Inner>
class Lookahead : public Inner {
 public:
  template <typename InnerOptions>
  Lookahead(std::vector<torch::Tensor> params, InnerOptions inner,
            LookaheadOptions options = {})
      : Inner(std::move(params), std::move(inner)), slow_(options) {}

  torch::Tensor step(
      torch::optim::Optimizer::LossClosure closure = nullptr) override {
    slow_.before_step(this->param_groups());
    auto loss = Inner::step(std::move(closure));
    slow_.after_step(this->param_groups());
    return loss;
  }
  void save(torch::serialize::OutputArchive& archive) const override {
    Inner::save(archive);
    slow_.save(archive);
  }
  void load(torch::serialize::InputArchive& archive) override {
    Inner::load(archive);
    slow_.load(archive);
  }

 private:
  SlowWeights slow_;
};

}  // namespace mishlab
