// Internal: the kernels of one SIMD target as plain function pointers, so
// that tests, mish-accuracy and the benchmark can run each compiled target,
// not only the one this CPU prefers.
#ifndef MISH_SRC_CORE_TARGETS_H_
#define MISH_SRC_CORE_TARGETS_H_

#include <stddef.h>
#include <stdint.h>

#include <vector>

#include "mish/mish.h"

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

// The fused batch norm + Mish passes of one SIMD target, with the
// signatures of mish.h's mish_bn_* (S: the storage type).
template <class S>
struct BnPasses {
  int (*statistics)(const S* x, const float* k, mish_bn_shape shape,
                    double* sum, double* sum_sq);
  int (*forward)(const S* x, const S* residual, mish_bn_channels ch, S* y,
                 mish_bn_shape shape);
  int (*backward_sums)(const S* dy, const S* x, const S* residual,
                       mish_bn_channels ch, mish_bn_shape shape, double* sum_dz,
                       double* sum_dz_xc, double* sum_dz_rc);
  int (*backward)(const S* dy, const S* x, const S* residual,
                  mish_bn_channels ch, S* dx, S* dresidual,
                  mish_bn_shape shape);
};

struct BnKernels {
  const char* target;
  // Whether z = x scale + shift rounds once (a fused multiply-add) or twice.
  bool fused_multiply_add;
  BnPasses<float> f32;
  BnPasses<uint16_t> bf16;
  BnPasses<uint16_t> f16;
};

// The passes Highway's dispatcher chooses now (batch_norm_mish.cc).
BnKernels DispatchedBnKernels();

// The passes of each compiled target that this CPU runs, best first (only
// in mish_targets, like AvailableKernels).
std::vector<BnKernels> AvailableBnKernels();

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_TARGETS_H_
