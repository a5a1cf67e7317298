#include "mish/torch.hpp"

namespace mish::nn {
namespace {

c10::optional<at::Tensor> optional(const at::Tensor& t) {
  return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt;
}

}  // namespace

BatchNormMish2dImpl::BatchNormMish2dImpl(
    const ::torch::nn::BatchNormOptions& opts)
    : NormImplBase(opts) {}

void BatchNormMish2dImpl::_check_input_dim(const at::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "BatchNormMish2d: expected 4-D input, got ",
              input.dim(), "-D input");
}

// The running-average factor and the choice of statistics as BatchNorm2d
// makes them: momentum, or a cumulative average when momentum is unset.
at::Tensor BatchNormMish2dImpl::forward(const at::Tensor& input,
                                        const at::Tensor& residual) {
  _check_input_dim(input);
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats() &&
      num_batches_tracked.defined()) {
    num_batches_tracked += 1;
    if (!options.momentum().has_value()) {
      factor = 1.0 / num_batches_tracked.item<double>();
    }
  }
  return mish::torch::batch_norm_mish(
      input, optional(residual), optional(weight), optional(bias),
      optional(running_mean), optional(running_var),
      is_training() || !options.track_running_stats(), factor, options.eps());
}

std::vector<::torch::nn::AnyValue>
BatchNormMish2dImpl::_forward_populate_default_args(
    std::vector<::torch::nn::AnyValue>&& arguments) {
  TORCH_INTERNAL_ASSERT(arguments.size() == 1 || arguments.size() == 2);
  if (arguments.size() == 1) arguments.emplace_back(at::Tensor());
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
