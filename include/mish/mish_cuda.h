/* mish on CUDA devices: Mish forward, backward, fused bias + Mish and the
 * passes of fused batch norm + Mish.
 *
 * Stable C ABI. Pointers are device pointers; work is queued on `stream`
 * (0 for the legacy default stream) and the functions return at once with
 * the launch's status: cudaSuccess, or cudaErrorInvalidValue for a null
 * pointer with a non-empty array, a pointer not aligned to its element size
 * or a shape whose size overflows size_t. n = 0 is a no-op.
 *
 * Any length and any element-aligned pointers are accepted; in place is
 * allowed (y == x, dx == dy, dx == x), other overlaps are not. 16-bit
 * functions take raw bit patterns (bfloat16 or IEEE binary16), compute in
 * float32 and round once to nearest even.
 *
 * Accuracy against the exact result: float32 forward within 4 ulp, backward
 * within 6 ulp (absolute 2^-22 on [-2, 0], where mish' has a root); 16-bit
 * forward within 1 ulp of the correctly rounded result, backward too outside
 * [-2, 0]. mish(-inf) = -0 and mish(+inf) = +inf. */
#ifndef MISH_MISH_CUDA_H_
#define MISH_MISH_CUDA_H_

#include <cuda_runtime_api.h>
#include <stddef.h>
#include <stdint.h>

#include "mish/export.h"
#include "mish/mish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y[i] = mish(x[i]). */
MISH_API cudaError_t mish_cuda_forward_f32(const float* x, float* y, size_t n,
                                           cudaStream_t stream);
MISH_API cudaError_t mish_cuda_forward_bf16(const uint16_t* x, uint16_t* y,
                                            size_t n, cudaStream_t stream);
MISH_API cudaError_t mish_cuda_forward_f16(const uint16_t* x, uint16_t* y,
                                           size_t n, cudaStream_t stream);

/* dx[i] = dy[i] * mish'(x[i]). */
MISH_API cudaError_t mish_cuda_backward_f32(const float* x, const float* dy,
                                            float* dx, size_t n,
                                            cudaStream_t stream);
MISH_API cudaError_t mish_cuda_backward_bf16(const uint16_t* x,
                                             const uint16_t* dy, uint16_t* dx,
                                             size_t n, cudaStream_t stream);
MISH_API cudaError_t mish_cuda_backward_f16(const uint16_t* x,
                                            const uint16_t* dy, uint16_t* dx,
                                            size_t n, cudaStream_t stream);

/* Fused bias + Mish, one pass: y = mish(x + bias), the sum formed in float32.
 * rows: x and y are [rows, cols], bias is [cols] (Linear, NHWC).
 * nchw: x and y are [n, c, hw], bias is [c] (convolutions, NCHW). */
MISH_API cudaError_t mish_cuda_bias_forward_rows_f32(const float* x,
                                                     const float* bias,
                                                     float* y, size_t rows,
                                                     size_t cols,
                                                     cudaStream_t stream);
MISH_API cudaError_t mish_cuda_bias_forward_rows_bf16(const uint16_t* x,
                                                      const uint16_t* bias,
                                                      uint16_t* y, size_t rows,
                                                      size_t cols,
                                                      cudaStream_t stream);
MISH_API cudaError_t mish_cuda_bias_forward_rows_f16(const uint16_t* x,
                                                     const uint16_t* bias,
                                                     uint16_t* y, size_t rows,
                                                     size_t cols,
                                                     cudaStream_t stream);
MISH_API cudaError_t mish_cuda_bias_forward_nchw_f32(const float* x,
                                                     const float* bias,
                                                     float* y, size_t n,
                                                     size_t c, size_t hw,
                                                     cudaStream_t stream);
MISH_API cudaError_t mish_cuda_bias_forward_nchw_bf16(const uint16_t* x,
                                                      const uint16_t* bias,
                                                      uint16_t* y, size_t n,
                                                      size_t c, size_t hw,
                                                      cudaStream_t stream);
MISH_API cudaError_t mish_cuda_bias_forward_nchw_f16(const uint16_t* x,
                                                     const uint16_t* bias,
                                                     uint16_t* y, size_t n,
                                                     size_t c, size_t hw,
                                                     cudaStream_t stream);

/* Fused batch norm + Mish: the passes of mish.h's mish_bn_* (shapes,
 * per-channel arrays and formulas there) on device arrays. c must be below
 * 65536 (NCHW) or 2^21. */
#define MISH_CUDA_BN_DECLARE(suffix, S)                                       \
  /* sum[c] = sum(x - k[c]), sum_sq[c] = sum((x - k[c])^2). */                \
  MISH_API cudaError_t mish_cuda_bn_statistics_##suffix(                      \
      const S* x, const float* k, mish_bn_shape shape, double* sum,           \
      double* sum_sq, cudaStream_t stream);                                   \
  /* y = mish(z). */                                                          \
  MISH_API cudaError_t mish_cuda_bn_forward_##suffix(                         \
      const S* x, const S* residual, mish_bn_channels ch, S* y,               \
      mish_bn_shape shape, cudaStream_t stream);                              \
  /* sum_dz[c] = sum(dz), sum_dz_xc[c] = sum(dz (x - mean[c])), and with a    \
   * normalized residual sum_dz_rc[c] = sum(dz (residual - r_mean[c])). */    \
  MISH_API cudaError_t mish_cuda_bn_backward_sums_##suffix(                   \
      const S* dy, const S* x, const S* residual, mish_bn_channels ch,        \
      mish_bn_shape shape, double* sum_dz, double* sum_dz_xc,                 \
      double* sum_dz_rc, cudaStream_t stream);                                \
  /* dx = dz g_dz + (x - mean) g_xc + g_0, and dresidual unless null. */      \
  MISH_API cudaError_t mish_cuda_bn_backward_##suffix(                        \
      const S* dy, const S* x, const S* residual, mish_bn_channels ch, S* dx, \
      S* dresidual, mish_bn_shape shape, cudaStream_t stream);

MISH_CUDA_BN_DECLARE(f32, float)
MISH_CUDA_BN_DECLARE(bf16, uint16_t)
MISH_CUDA_BN_DECLARE(f16, uint16_t)

#undef MISH_CUDA_BN_DECLARE

#ifdef __cplusplus
}
#endif

#endif /* MISH_MISH_CUDA_H_ */
