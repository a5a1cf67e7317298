// batch_norm_mish on the meta device: shapes, dtypes and strides only, for
// tracing and shape propagation.
#include <ATen/ATen.h>

#include "batch_norm_mish.hpp"

namespace mish::torch::detail {
namespace {

ForwardOutputs forward_meta(const ForwardArgs& a) {
  check_forward_args(a);
  const auto stats = a.input.options().dtype(stats_type(a.input));
  const int64_t channels = a.input.size(1);
  const int64_t r_channels = a.normalize_residual ? channels : 0;
  return {at::empty_like(dense(a.input)), at::empty({channels}, stats),
          at::empty({channels}, stats), at::empty({r_channels}, stats),
          at::empty({r_channels}, stats)};
}

Grads backward_meta(const BackwardArgs& a) {
  check_backward_args(a);
  const at::Tensor x = dense(a.input);
  const auto [need_dx, need_dr, need_w, need_b, need_rw, need_rb] =
      a.output_mask;
  const auto like = [](bool need, const at::Tensor& t) {
    return need && t.defined() ? at::empty_like(t) : at::Tensor();
  };
  return {like(need_dx, x),
          like(need_dr, a.residual.defined() ? x : at::Tensor()),
          like(need_w, a.norm.weight),
          like(need_b, a.norm.bias),
          like(need_rw && a.normalize_residual, a.residual_norm.weight),
          like(need_rb && a.normalize_residual, a.residual_norm.bias)};
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Meta, m) {
  using namespace mish::torch::detail;
  register_batch_norm_mish<forward_meta, backward_meta>(m);
}
