#include "mish/torch/nn.hpp"

namespace mish::nn {

MishImpl::MishImpl(const MishOptions& opts) : options(opts) {}

at::Tensor MishImpl::forward(at::Tensor input) {
  return options.inplace() ? mish::torch::mish_(input)
                           : mish::torch::mish(input);
}

void MishImpl::reset() {}

void MishImpl::pretty_print(std::ostream& stream) const {
  stream << "mish::nn::Mish(";
  if (options.inplace()) stream << "inplace=true";
  stream << ")";
}

}  // namespace mish::nn
