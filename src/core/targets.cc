// Test-only: every compiled target's kernels, by pointing Highway's
// dispatcher at each target in turn. Not part of the shipped library.
#include "src/core/targets.h"

#include "hwy/targets.h"

namespace mish::detail {

std::vector<Kernels> AvailableKernels() {
  std::vector<Kernels> all;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    all.push_back(DispatchedKernels());
    const Kernels without_bf16 = DispatchedKernelsWithoutBF16Hw();
    if (without_bf16.target != nullptr) all.push_back(without_bf16);
  }
  hwy::SetSupportedTargetsForTest(0);
  return all;
}

std::vector<BnKernels> AvailableBnKernels() {
  std::vector<BnKernels> all;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    all.push_back(DispatchedBnKernels());
  }
  hwy::SetSupportedTargetsForTest(0);
  return all;
}

}  // namespace mish::detail
