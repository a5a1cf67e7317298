#include "train/lookahead.hpp"

#include <torch/torch.h>

#include <string>

namespace mishlab {

SlowWeights::SlowWeights(LookaheadOptions options) : options_(options) {
  TORCH_CHECK(options.k() >= 1, "invalid lookahead k: ", options.k());
  TORCH_CHECK(0 <= options.alpha() && options.alpha() <= 1,
              "invalid lookahead alpha: ", options.alpha());
}

void SlowWeights::before_step(
    const std::vector<torch::optim::OptimizerParamGroup>& groups) {
  if (!slow_.empty()) return;
  torch::NoGradGuard no_grad;
  for (const auto& group : groups) {
    for (const auto& p : group.params()) slow_.push_back(p.detach().clone());
  }
}

void SlowWeights::after_step(
    const std::vector<torch::optim::OptimizerParamGroup>& groups) {
  if (++steps_ % options_.k() != 0) return;
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (const auto& group : groups) {
    for (const auto& p : group.params()) {
      TORCH_CHECK(i < slow_.size(), "lookahead: parameters were added");
      auto& slow = slow_[i++];
      slow.add_(p - slow, options_.alpha());
      p.copy_(slow);
    }
  }
}

void SlowWeights::save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive out(archive.compilation_unit());
  out.write("steps", torch::tensor(steps_));
  out.write("size", torch::tensor(static_cast<int64_t>(slow_.size())));
  for (size_t i = 0; i < slow_.size(); ++i) {
    out.write("slow/" + std::to_string(i), slow_[i], /*is_buffer=*/true);
  }
  archive.write("lookahead", out);
}

void SlowWeights::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive in;
  archive.read("lookahead", in);
  torch::Tensor steps, size;
  in.read("steps", steps);
  in.read("size", size);
  steps_ = steps.item<int64_t>();
  const auto n = size.item<int64_t>();
  TORCH_CHECK(n >= 0 && n < (int64_t{1} << 24),
              "lookahead: corrupt slow-weight count ", n);
  slow_.assign(static_cast<size_t>(n), torch::Tensor());
  for (int64_t i = 0; i < n; ++i) {
    in.read("slow/" + std::to_string(i), slow_[static_cast<size_t>(i)],
            /*is_buffer=*/true);
  }
}

}  // namespace mishlab
