#include "batch_norm_mish.hpp"
#include "mish/torch/nn.hpp"

namespace mish::nn {
namespace {

using mish::torch::detail::optional;

// What a batch norm module's own forward would pass to batch_norm: the
// running-average factor (momentum, or a cumulative average when momentum
// is unset, after counting this batch) and the choice of statistics.
template <class Norm>
mish::torch::ResidualNorm batch_norm_args(Norm& m) {
  double factor = m.options.momentum().value_or(0.0);
  if (m.is_training() && m.options.track_running_stats() &&
      m.num_batches_tracked.defined()) {
    m.num_batches_tracked += 1;
    if (!m.options.momentum().has_value()) {
      factor = 1.0 / m.num_batches_tracked.template item<double>();
    }
  }
  return {optional(m.weight),
          optional(m.bias),
          optional(m.running_mean),
          optional(m.running_var),
          m.is_training() || !m.options.track_running_stats(),
          factor,
          m.options.eps()};
}

}  // namespace

BatchNormMish2dImpl::BatchNormMish2dImpl(
    const ::torch::nn::BatchNormOptions& opts)
    : NormImplBase(opts) {}

void BatchNormMish2dImpl::_check_input_dim(const at::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "BatchNormMish2d: expected 4-D input, got ",
              input.dim(), "-D input");
}

at::Tensor BatchNormMish2dImpl::forward(
    const at::Tensor& input, const at::Tensor& residual,
    const ::torch::nn::BatchNorm2d& residual_norm) {
  _check_input_dim(input);
  const mish::torch::ResidualNorm own = batch_norm_args(*this);
  c10::optional<mish::torch::ResidualNorm> shortcut;
  if (!residual_norm.is_empty()) {
    TORCH_CHECK(residual.defined(),
                "BatchNormMish2d: residual_norm needs a residual");
    shortcut = batch_norm_args(*residual_norm.ptr());
  }
  return mish::torch::batch_norm_mish(
      input, optional(residual), own.weight, own.bias, own.running_mean,
      own.running_var, own.training, own.momentum, own.eps, shortcut);
}

std::vector<::torch::nn::AnyValue>
BatchNormMish2dImpl::_forward_populate_default_args(
    std::vector<::torch::nn::AnyValue>&& arguments) {
  TORCH_INTERNAL_ASSERT(!arguments.empty() && arguments.size() <= 3);
  if (arguments.size() == 1) arguments.emplace_back(at::Tensor());
  if (arguments.size() == 2) {
    arguments.emplace_back(::torch::nn::BatchNorm2d(nullptr));
  }
  return std::move(arguments);
}

void BatchNormMish2dImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "mish::nn::BatchNormMish2d("
         << options.num_features() << ", eps=" << options.eps()
         << ", momentum=";
  if (options.momentum().has_value()) {
    stream << *options.momentum();
  } else {
    stream << "None";
  }
  stream << ", affine=" << options.affine()
         << ", track_running_stats=" << options.track_running_stats() << ")";
}

}  // namespace mish::nn
