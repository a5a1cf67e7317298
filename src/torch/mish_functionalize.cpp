// Functionalize backend of mish_. torch.compile, torch.export and opcheck
// trace programs without mutation; for a custom op that writes its input
// they fall back to auto_functionalized, which refuses an op returning its
// input and which torch.onnx's dynamo exporter cannot translate. mish_
// becomes mish(self) written back into self: the graph has mish and a copy.
#include <ATen/FunctionalTensorWrapper.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <torch/library.h>

#include "mish/torch/ops.hpp"

namespace mish::torch::detail {
namespace {

at::Tensor& mish_functionalize(at::Tensor& self) {
  namespace impl = at::functionalization::impl;
  if (!impl::isFunctionalTensor(self)) {
    at::AutoDispatchSkipFunctionalize guard;
    return mish::torch::mish_(self);
  }
  impl::sync(self);
  at::Tensor result;
  {
    at::AutoDispatchSkipFunctionalize guard;
    result = mish::torch::mish(impl::from_functional_tensor(self));
  }
  impl::replace_(self, result);
  impl::commit_update(self);
  impl::sync(self);
  return self;
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Functionalize, m) {
  m.impl("mish_", mish::torch::detail::mish_functionalize);
}
