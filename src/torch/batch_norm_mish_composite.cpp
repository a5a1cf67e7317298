// batch_norm_mish below autograd (inference mode, or a backend's own call):
// the forward step's output alone; and batch_norm_mish_functional, which
// runs it on copies of the running statistics.
#include <ATen/ATen.h>

#include "batch_norm_mish.hpp"

namespace mish::torch::detail {
namespace {

at::Tensor batch_norm_mish_composite(const ForwardArgs& a) {
  return call_batch_norm_mish_forward(a).output;
}

FunctionalOutputs batch_norm_mish_functional(const ForwardArgs& a) {
  ForwardArgs copy = a;
  const at::Tensor empty =
      at::empty({0}, a.input.options().dtype(stats_type(a.input)));
  // A copy written by the forward, or empty where not given.
  const auto updated = [&](at::Tensor& stat) {
    stat = stat.defined() ? stat.clone() : at::Tensor();
    return stat.defined() ? stat : empty;
  };
  FunctionalOutputs out{at::Tensor(), updated(copy.norm.running_mean),
                        updated(copy.norm.running_var),
                        updated(copy.residual_norm.running_mean),
                        updated(copy.residual_norm.running_var)};
  out.output = call_batch_norm_mish(copy);
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
