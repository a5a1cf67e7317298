// Internal: every compiled SIMD target's kernels, so that tests and
// mish-accuracy can check each one, not only the one this CPU prefers.
#ifndef MISH_SRC_CORE_TARGETS_H_
#define MISH_SRC_CORE_TARGETS_H_

#include <stddef.h>
#include <stdint.h>

#include <vector>

#include "mish/export.h"

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

// Kernels of each compiled target that this CPU runs, best first. Not
// thread-safe: it briefly redirects Highway's dispatcher.
MISH_API std::vector<Kernels> AvailableKernels();

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_TARGETS_H_
