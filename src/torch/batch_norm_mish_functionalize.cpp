// Functionalization of batch_norm_mish. torch.export and the dynamo ONNX
// exporter trace programs without mutation; for a custom op that writes its
// inputs they would fall back to auto_functionalized, which torch.onnx
// cannot translate. batch_norm_mish becomes batch_norm_mish_functional, and
// the running statistics it returns are written back when training.
#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/core/LegacyTypeDispatch.h>

#include <type_traits>

#include "batch_norm_mish.hpp"

namespace mish::torch::detail {
namespace {

namespace impl = at::functionalization::impl;

bool is_functional(const at::Tensor& t) {
  return t.defined() && impl::isFunctionalTensor(t);
}

// stat (a functional tensor) now holds value.
void write_back(const at::Tensor& stat, const at::Tensor& value) {
  TORCH_INTERNAL_ASSERT(is_functional(stat),
                        "batch_norm_mish: a running statistic outside "
                        "functionalization");
  impl::replace_(stat, value);
  impl::commit_update(stat);
  impl::sync(stat);
}

at::Tensor batch_norm_mish_functionalize(const ForwardArgs& a) {
  bool functional = false;
  ForwardArgs plain = a;
  for_each_field(plain, [&](auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, at::Tensor>) {
      if (is_functional(field)) {
        functional = true;
        impl::sync(field);
        field = impl::from_functional_tensor(field);
      }
    }
  });
  const at::AutoDispatchSkipFunctionalize guard;
  if (!functional) return call_batch_norm_mish(a);
  const FunctionalOutputs out = call_batch_norm_mish_functional(plain);
  if (a.norm.training && a.norm.running_mean.defined()) {
    write_back(a.norm.running_mean, out.running_mean);
    write_back(a.norm.running_var, out.running_var);
  }
  const NormArgs* r = a.residual_norm_or_null();
  if (r != nullptr && r->training && r->running_mean.defined()) {
    write_back(r->running_mean, out.residual_running_mean);
    write_back(r->running_var, out.residual_running_var);
  }
  return impl::to_functional_tensor(out.output);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Functionalize, m) {
  using namespace mish::torch::detail;
  m.impl("batch_norm_mish",
         ::torch::CppFunction::makeFromBoxedFunction<
             &boxed<ForwardArgs, at::Tensor, batch_norm_mish_functionalize>>());
}
