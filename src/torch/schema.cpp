// The operator schemas: torch.ops.mish.* in Python, mish::* in TorchScript.
// C++ reads batch_norm_mish's arguments in this order through
// for_each_field (src/torch/batch_norm_mish.hpp); every call checks that the
// counts agree.
#include <torch/library.h>

#include <regex>
#include <string>

namespace {

// mish(batch_norm(input) + residual), the residual added as it is or, with
// normalize_residual, through a batch norm of its own (a projection
// shortcut's).
constexpr const char* kBatchNormMishArguments =
    "(Tensor input, Tensor? residual, Tensor? weight, Tensor? bias, "
    "Tensor(a!)? running_mean, Tensor(b!)? running_var, bool training, "
    "float momentum, float eps, bool normalize_residual=False, "
    "Tensor? residual_weight=None, Tensor? residual_bias=None, "
    "Tensor(c!)? residual_running_mean=None, "
    "Tensor(d!)? residual_running_var=None, bool residual_training=True, "
    "float residual_momentum=0.1, float residual_eps=1e-05)";

std::string schema(const char* name, const std::string& arguments,
                   const char* returns) {
  return name + arguments + " -> " + returns;
}

// The arguments without their alias annotations: nothing written.
std::string read_only(const char* arguments) {
  return std::regex_replace(arguments, std::regex(R"(\([a-z]!\))"), "");
}

}  // namespace

TORCH_LIBRARY(mish, m) {
  m.def("mish(Tensor self) -> Tensor");
  m.def("mish_(Tensor(a!) self) -> Tensor(a!)");
  m.def("mish_backward(Tensor grad_output, Tensor self) -> Tensor");
  m.def(schema("batch_norm_mish", kBatchNormMishArguments, "Tensor").c_str());
  // The two steps autograd calls. The forward also returns the float32
  // (float64) per-channel mean and inverse standard deviation it normalized
  // with (the residual's empty when it is not normalized); the backward
  // takes them in place of the running statistics, and computes the
  // gradients output_mask asks for (input, residual, weight, bias,
  // residual_weight, residual_bias).
  m.def(schema("batch_norm_mish_forward", kBatchNormMishArguments,
               "(Tensor, Tensor, Tensor, Tensor, Tensor)")
            .c_str());
  // batch_norm_mish_forward without writing the running statistics: it
  // returns them updated instead (empty where not given). Functionalization
  // (torch.compile, torch.export, the dynamo ONNX exporter) puts it in the
  // place of batch_norm_mish and batch_norm_mish_forward.
  m.def(schema("batch_norm_mish_functional", read_only(kBatchNormMishArguments),
               "(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, "
               "Tensor, Tensor)")
            .c_str());
  m.def(
      "batch_norm_mish_backward(Tensor grad_output, Tensor input, "
      "Tensor? residual, Tensor? weight, Tensor? bias, Tensor mean, "
      "Tensor invstd, bool training, bool normalize_residual, "
      "Tensor? residual_weight, Tensor? residual_bias, Tensor? residual_mean, "
      "Tensor? residual_invstd, bool residual_training, bool[6] output_mask) "
      "-> (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)");
}
