// The C++ API calls the registered operators through the dispatcher, so it
// takes the same path (autograd, device, TorchScript) as torch.ops.mish.*.
#include <ATen/core/dispatch/Dispatcher.h>

#include "mish/torch.hpp"

namespace mish::torch {
namespace {

template <class Signature>
c10::TypedOperatorHandle<Signature> op(const char* name) {
  return c10::Dispatcher::singleton()
      .findSchemaOrThrow(name, "")
      .template typed<Signature>();
}

}  // namespace

at::Tensor mish(const at::Tensor& self) {
  static const auto handle = op<at::Tensor(const at::Tensor&)>("mish::mish");
  return handle.call(self);
}

at::Tensor& mish_(at::Tensor& self) {
  static const auto handle = op<at::Tensor&(at::Tensor&)>("mish::mish_");
  return handle.call(self);
}

at::Tensor mish_backward(const at::Tensor& grad_output,
                         const at::Tensor& self) {
  static const auto handle =
      op<at::Tensor(const at::Tensor&, const at::Tensor&)>(
          "mish::mish_backward");
  return handle.call(grad_output, self);
}

}  // namespace mish::torch
