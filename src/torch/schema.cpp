// The operator schemas: torch.ops.mish.* in Python, mish::* in TorchScript.
#include <torch/library.h>

TORCH_LIBRARY(mish, m) {
  m.def("mish(Tensor self) -> Tensor");
  m.def("mish_(Tensor(a!) self) -> Tensor(a!)");
  m.def("mish_backward(Tensor grad_output, Tensor self) -> Tensor");
}
