// Internal: the kernels of one SIMD target as plain function pointers, so
// that tests, mish-accuracy and the benchmark can run each compiled target,
// not only the one this CPU prefers.
#ifndef MISH_SRC_CORE_TARGETS_H_
#define MISH_SRC_CORE_TARGETS_H_

#include <stddef.h>
#include <stdint.h>

#include <vector>

namespace mish::detail {

struct Kernels {
  const char* target;
  void (*forward_f32)(const float* x, float* y, size_t n);
  void (*backward_f32)(const float* x, const float* dy, float* dx, size_t n);
  void (*forward_bf16)(const uint16_t* x, uint16_t* y, size_t n);
  void (*backward_bf16)(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                        size_t n);
  void (*forward_f16)(const uint16_t* x, uint16_t* y, size_t n);
  void (*backward_f16)(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                       size_t n);
};

// The kernels Highway's dispatcher chooses now (kernels.cc).
Kernels DispatchedKernels();

// If the dispatcher chooses AVX3 on a CPU with AVX-512 BF16: the same
// kernels with bfloat16 rounded in integer code, as on AVX-512 CPUs without
// BF16, named AVX3_NO_BF16; otherwise target is null (kernels.cc).
Kernels DispatchedKernelsWithoutBF16Hw();

// Kernels of each compiled target that this CPU runs, best first, with
// AVX3_NO_BF16 after AVX3 where the CPU has AVX-512 BF16. Only in
// the test-only library mish_targets (targets.cc): it briefly redirects
// Highway's dispatcher, so it is not thread-safe.
std::vector<Kernels> AvailableKernels();

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_TARGETS_H_
