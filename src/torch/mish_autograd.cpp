// Autograd for the mish operators. mish saves only its input; mish_backward
// is differentiable in turn (second derivative from differentiable ATen ops),
// so gradgradcheck and higher-order gradients work.
#include <ATen/ATen.h>
#include <ATen/core/LegacyTypeDispatch.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/library.h>

#include "mish/torch/ops.hpp"

namespace mish::torch::detail {
namespace {

using ::torch::autograd::AutogradContext;
using ::torch::autograd::variable_list;

// mish''(x) = s (1 - t^2) (2 + x (1 - s - 2 s t)), s = sigmoid(x),
// t = tanh(softplus(x)); built from differentiable ops.
at::Tensor mish_second_derivative(const at::Tensor& x) {
  // mish'' is 0 beyond |x| = 800 in every floating type; the clamp keeps
  // inf * 0 from turning the infinities into NaN.
  const at::Tensor xc = x.clamp(-800, 800);
  const at::Tensor s = at::sigmoid(xc);
  const at::Tensor t = at::tanh(at::softplus(xc));
  return s * (1 - t * t) * (2 + xc * (1 - s - 2 * s * t));
}

class MishFunction : public ::torch::autograd::Function<MishFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& self) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->save_for_backward({self});
    return mish::torch::mish(self);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor self = ctx->get_saved_variables()[0];
    return {mish::torch::mish_backward(grads[0], self)};
  }
};

class MishBackwardFunction
    : public ::torch::autograd::Function<MishBackwardFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& grad_output,
                            const at::Tensor& self) {
    at::AutoDispatchBelowADInplaceOrView guard;
    ctx->save_for_backward({grad_output, self});
    return mish::torch::mish_backward(grad_output, self);
  }

  // d/d grad_output = mish'(self), d/d self = grad_output * mish''(self).
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& grad_output = saved[0];
    const at::Tensor& self = saved[1];
    at::Tensor grad_grad_output;
    at::Tensor grad_self;
    if (ctx->needs_input_grad(0)) {
      grad_grad_output = mish::torch::mish_backward(grads[0], self);
    }
    if (ctx->needs_input_grad(1)) {
      grad_self = grads[0] * grad_output * mish_second_derivative(self);
    }
    return {grad_grad_output, grad_self};
  }
};

at::Tensor mish_autograd(const at::Tensor& self) {
  return MishFunction::apply(self);
}

at::Tensor& mish_autograd_(at::Tensor& self) {
  if (at::GradMode::is_enabled() && self.requires_grad()) {
    // The backward needs the input that the result overwrites: compute on a
    // copy, then copy_ records the in-place step and, like torch's own
    // in-place ops, rejects a leaf that requires grad.
    return self.copy_(MishFunction::apply(self.clone()));
  }
  at::AutoDispatchBelowAutograd guard;
  return mish::torch::mish_(self);
}

// Bumps the version counter, so a graph that saved self before it changed
// fails at backward instead of computing a wrong gradient.
at::Tensor& mish_inplace_or_view_(at::Tensor& self) {
  {
    at::AutoDispatchBelowADInplaceOrView guard;
    mish::torch::mish_(self);
  }
  ::torch::autograd::impl::bump_version(self);
  return self;
}

at::Tensor mish_backward_autograd(const at::Tensor& grad_output,
                                  const at::Tensor& self) {
  return MishBackwardFunction::apply(grad_output, self);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, Autograd, m) {
  m.impl("mish", mish::torch::detail::mish_autograd);
  m.impl("mish_", mish::torch::detail::mish_autograd_);
  m.impl("mish_backward", mish::torch::detail::mish_backward_autograd);
}

TORCH_LIBRARY_IMPL(mish, ADInplaceOrView, m) {
  m.impl("mish_", mish::torch::detail::mish_inplace_or_view_);
}
