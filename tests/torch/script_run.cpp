// Runs a TorchScript module saved from Python (test_torchscript.py) that calls
// torch.ops.mish.mish, and checks it against the C++ API: the operator loads
// and dispatches the same from both sides. Usage: mish_torch_script_run FILE
#include <torch/script.h>

#include <cstdio>
#include <exception>

#include "mish/torch.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCRIPTED_MODULE.pt\n", argv[0]);
    return 2;
  }
  try {
    torch::jit::Module module = torch::jit::load(argv[1]);
    const at::Tensor x = at::linspace(-30, 30, 1001);
    const at::Tensor y = module.forward({x}).toTensor();
    if (!at::equal(y, mish::torch::mish(x))) {
      std::fprintf(stderr,
                   "scripted module disagrees with mish::torch::mish\n");
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
