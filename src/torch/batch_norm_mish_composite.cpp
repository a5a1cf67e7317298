// batch_norm_mish below autograd (inference mode, or a backend's own call):
// the forward step's output alone; and batch_norm_mish_functional: the
// forward step on copies of the running statistics.
#include <ATen/ATen.h>

#include "batch_norm_mish.hpp"

namespace mish::torch::detail {
namespace {

at::Tensor batch_norm_mish_composite(const ForwardArgs& a) {
  return call_batch_norm_mish_forward(a).output;
}

FunctionalOutputs batch_norm_mish_functional(const ForwardArgs& a) {
  ForwardArgs copy = a;
  // A copy written by the forward, or a new empty tensor where not given:
  // no output may alias another.
  const auto updated = [&](at::Tensor& stat) {
    if (stat.defined()) return stat = stat.clone();
    return at::empty({0}, a.input.options().dtype(stats_type(a.input)));
  };
  FunctionalOutputs out{ForwardOutputs(), updated(copy.norm.running_mean),
                        updated(copy.norm.running_var),
                        updated(copy.residual_norm.running_mean),
                        updated(copy.residual_norm.running_var)};
  out.forward = call_batch_norm_mish_forward(copy);
  return out;
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CompositeExplicitAutograd, m) {
  using namespace mish::torch::detail;
  m.impl("batch_norm_mish",
         ::torch::CppFunction::makeFromBoxedFunction<
             &boxed<ForwardArgs, at::Tensor, batch_norm_mish_composite>>());
  m.impl("batch_norm_mish_functional",
         ::torch::CppFunction::makeFromBoxedFunction<&boxed<
             ForwardArgs, FunctionalOutputs, batch_norm_mish_functional>>());
}
