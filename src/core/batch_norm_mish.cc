// Fused batch norm + Mish: the passes of batch_norm_mish-inl.h compiled once
// per SIMD target, and the C ABI (mish.h's mish_bn_*) that dispatches to the
// best target this CPU supports.

#include <stddef.h>
#include <stdint.h>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/core/batch_norm_mish.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/core/batch_norm_mish-inl.h"
#include "src/core/targets.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {

// The storage type's passes, for Highway's dispatch tables.
#define MISH_BN_PASSES(suffix, IO)                                             \
  int BnStatistics##suffix(const IO::T* x, const float* k, mish_bn_shape s,    \
                           double* sum, double* sum_sq) {                      \
    return bn::Statistics<IO>(x, k, s, sum, sum_sq);                           \
  }                                                                            \
  int BnForward##suffix(const IO::T* x, const IO::T* r, mish_bn_channels ch,   \
                        IO::T* y, mish_bn_shape s) {                           \
    return bn::Forward<IO>(x, r, ch, y, s);                                    \
  }                                                                            \
  int BnBackwardSums##suffix(                                                  \
      const IO::T* dy, const IO::T* x, const IO::T* r, mish_bn_channels ch,    \
      mish_bn_shape s, double* sum_dz, double* sum_dz_xc, double* sum_dz_rc) { \
    return bn::BackwardSums<IO>(dy, x, r, ch, s, sum_dz, sum_dz_xc,            \
                                sum_dz_rc);                                    \
  }                                                                            \
  int BnBackward##suffix(const IO::T* dy, const IO::T* x, const IO::T* r,      \
                         mish_bn_channels ch, IO::T* dx, IO::T* dr,            \
                         mish_bn_shape s) {                                    \
    return bn::Backward<IO>(dy, x, r, ch, dx, dr, s);                          \
  }

MISH_BN_PASSES(F32, bn::F32Lanes)
MISH_BN_PASSES(BF16, bn::BF16Lanes)
MISH_BN_PASSES(F16, bn::F16Lanes)
#undef MISH_BN_PASSES

detail::BnKernels GetBnKernels() {
  return {hwy::TargetName(HWY_TARGET),
          HWY_NATIVE_FMA != 0,
          {BnStatisticsF32, BnForwardF32, BnBackwardSumsF32, BnBackwardF32},
          {BnStatisticsBF16, BnForwardBF16, BnBackwardSumsBF16, BnBackwardBF16},
          {BnStatisticsF16, BnForwardF16, BnBackwardSumsF16, BnBackwardF16}};
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "mish/mish.h"

namespace mish {
HWY_EXPORT(GetBnKernels);

// Not exported from the shared library (see mish.map): tests and the fuzzer
// reach each target through targets.cc.
detail::BnKernels detail::DispatchedBnKernels() {
  return HWY_DYNAMIC_DISPATCH(GetBnKernels)();
}

}  // namespace mish

extern "C" {

#define MISH_BN_DEFINE(suffix, S)                                              \
  int mish_bn_statistics_##suffix(const S* x, const float* k,                  \
                                  mish_bn_shape shape, double* sum,            \
                                  double* sum_sq) {                            \
    return mish::detail::DispatchedBnKernels().suffix.statistics(x, k, shape,  \
                                                                 sum, sum_sq); \
  }                                                                            \
  int mish_bn_forward_##suffix(const S* x, const S* residual,                  \
                               mish_bn_channels ch, S* y,                      \
                               mish_bn_shape shape) {                          \
    return mish::detail::DispatchedBnKernels().suffix.forward(x, residual, ch, \
                                                              y, shape);       \
  }                                                                            \
  int mish_bn_backward_sums_##suffix(const S* dy, const S* x,                  \
                                     const S* residual, mish_bn_channels ch,   \
                                     mish_bn_shape shape, double* sum_dz,      \
                                     double* sum_dz_xc, double* sum_dz_rc) {   \
    return mish::detail::DispatchedBnKernels().suffix.backward_sums(           \
        dy, x, residual, ch, shape, sum_dz, sum_dz_xc, sum_dz_rc);             \
  }                                                                            \
  int mish_bn_backward_##suffix(const S* dy, const S* x, const S* residual,    \
                                mish_bn_channels ch, S* dx, S* dresidual,      \
                                mish_bn_shape shape) {                         \
    return mish::detail::DispatchedBnKernels().suffix.backward(                \
        dy, x, residual, ch, dx, dresidual, shape);                            \
  }

MISH_BN_DEFINE(f32, float)
MISH_BN_DEFINE(bf16, uint16_t)
MISH_BN_DEFINE(f16, uint16_t)

#undef MISH_BN_DEFINE

}  // extern "C"
#endif  // HWY_ONCE
