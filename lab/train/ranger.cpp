#include "train/ranger.hpp"

#include <utility>

namespace mishlab {

Ranger::Ranger(std::vector<torch::Tensor> params, RangerOptions options)
    : Lookahead<RAdam>(
          std::move(params),
          RAdamOptions(options.lr())
              .betas(options.betas())
              .eps(options.eps())
              .weight_decay(options.weight_decay())
              .centralize_gradients(options.centralize_gradients()),
          LookaheadOptions().k(options.k()).alpha(options.alpha())) {}

}  // namespace mishlab
