/* mish: the Mish activation, mish(x) = x * tanh(ln(1 + e^x)).
 *
 * Stable C ABI. Scalar functions are exact references (float64 inside);
 * array functions run the best SIMD kernel for this CPU, chosen at run time.
 * 16-bit functions take raw bit patterns (bfloat16 or IEEE binary16), compute
 * in float32 and round once to nearest even. All functions are reentrant. */
#ifndef MISH_MISH_H_
#define MISH_MISH_H_

#include <stddef.h>
#include <stdint.h>

#include "mish/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scalar: mish and its derivative d mish / dx. */
MISH_API float mish_f32(float x);
MISH_API double mish_f64(double x);
MISH_API float mish_grad_f32(float x);
MISH_API double mish_grad_f64(double x);

/* y[i] = mish(x[i]). y may equal x; otherwise the arrays must not overlap. */
MISH_API void mish_forward_f32(const float* x, float* y, size_t n);
/* dx[i] = dy[i] * mish'(x[i]). dx may equal dy or x. */
MISH_API void mish_backward_f32(const float* x, const float* dy, float* dx,
                                size_t n);

MISH_API void mish_forward_bf16(const uint16_t* x, uint16_t* y, size_t n);
MISH_API void mish_backward_bf16(const uint16_t* x, const uint16_t* dy,
                                 uint16_t* dx, size_t n);
MISH_API void mish_forward_f16(const uint16_t* x, uint16_t* y, size_t n);
MISH_API void mish_backward_f16(const uint16_t* x, const uint16_t* dy,
                                uint16_t* dx, size_t n);

/* Multi-threaded variants: threads <= 0 means all hardware threads, and no
 * more than the hardware threads are used. Small arrays stay on the calling
 * thread. */
MISH_API void mish_forward_f32_mt(const float* x, float* y, size_t n,
                                  int threads);
MISH_API void mish_backward_f32_mt(const float* x, const float* dy, float* dx,
                                   size_t n, int threads);

/* Fused batch norm + Mish over activations of shape (n, c, h, w), hw = h w,
 * stored NCHW (channels_last = 0) or channels-last (NHWC, channels_last = 1).
 * With per-channel float32 arrays [c] scale and shift:
 *   z = x scale + shift (+ residual, or + residual r_scale when the residual
 *   is normalized too), y = mish(z), dz = dy mish'(z),
 * all in float32 (z with one rounding per multiply-add where the CPU fuses
 * them). residual (and dresidual) may be null. Sums are float64 arrays [c],
 * overwritten. The same passes run on CUDA devices (mish_cuda.h). */
typedef struct mish_bn_shape {
  size_t n;
  size_t c;
  size_t hw;
  int channels_last;
} mish_bn_shape;

/* Per-channel float32 arrays [c]. */
typedef struct mish_bn_channels {
  const float* scale;
  const float* shift;
  const float* mean;
  /* Backward only: dx = dz g_dz + (x - mean) g_xc + g_0. */
  const float* g_dz;
  const float* g_xc;
  const float* g_0;
  /* A normalized residual's (null for a plain one: dresidual = dz):
   * dresidual = dz r_g_dz + (residual - r_mean) r_g_xc + r_g_0. */
  const float* r_scale;
  const float* r_mean;
  const float* r_g_dz;
  const float* r_g_xc;
  const float* r_g_0;
} mish_bn_channels;

/* The CPU passes. Each returns 0, or non-zero without writing anything for
 * invalid arguments: a null or misaligned pointer to an array with elements
 * (per-channel arrays and sums when c > 0, activations when n c hw > 0), a
 * shape whose size overflows, a normalized residual without its arrays (or
 * a plain one with some), a dresidual without a residual, or
 * no memory for the channels-last sums.
 *
 * Threads are the caller's: each call runs on the calling thread, so that
 * an engine with its own pool (LibTorch's at::parallel_for) splits the work.
 * Parts are described by the same structs: channels-last rows split anywhere
 * (rows r0 .. r1 are shape {1, c, r1 - r0} at offset r0 c), NCHW splits
 * between images, or between channels of one image with the per-channel
 * arrays offset too; the sums of the parts add up to the whole's.
 * An output may be one of the inputs (y == x, dx == dy), no other overlap. */

/* sum[c] = sum(x - k[c]), sum_sq[c] = sum((x - k[c])^2). */
MISH_API int mish_bn_statistics_f32(const float* x, const float* k,
                                    mish_bn_shape shape, double* sum,
                                    double* sum_sq);
MISH_API int mish_bn_statistics_bf16(const uint16_t* x, const float* k,
                                     mish_bn_shape shape, double* sum,
                                     double* sum_sq);
MISH_API int mish_bn_statistics_f16(const uint16_t* x, const float* k,
                                    mish_bn_shape shape, double* sum,
                                    double* sum_sq);

/* y = mish(z). */
MISH_API int mish_bn_forward_f32(const float* x, const float* residual,
                                 mish_bn_channels ch, float* y,
                                 mish_bn_shape shape);
MISH_API int mish_bn_forward_bf16(const uint16_t* x, const uint16_t* residual,
                                  mish_bn_channels ch, uint16_t* y,
                                  mish_bn_shape shape);
MISH_API int mish_bn_forward_f16(const uint16_t* x, const uint16_t* residual,
                                 mish_bn_channels ch, uint16_t* y,
                                 mish_bn_shape shape);

/* sum_dz[c] = sum(dz), sum_dz_xc[c] = sum(dz (x - mean[c])), and with a
 * normalized residual and sum_dz_rc non-null
 * sum_dz_rc[c] = sum(dz (residual - r_mean[c])). */
MISH_API int mish_bn_backward_sums_f32(const float* dy, const float* x,
                                       const float* residual,
                                       mish_bn_channels ch, mish_bn_shape shape,
                                       double* sum_dz, double* sum_dz_xc,
                                       double* sum_dz_rc);
MISH_API int mish_bn_backward_sums_bf16(const uint16_t* dy, const uint16_t* x,
                                        const uint16_t* residual,
                                        mish_bn_channels ch,
                                        mish_bn_shape shape, double* sum_dz,
                                        double* sum_dz_xc, double* sum_dz_rc);
MISH_API int mish_bn_backward_sums_f16(const uint16_t* dy, const uint16_t* x,
                                       const uint16_t* residual,
                                       mish_bn_channels ch, mish_bn_shape shape,
                                       double* sum_dz, double* sum_dz_xc,
                                       double* sum_dz_rc);

/* dx = dz g_dz + (x - mean) g_xc + g_0, and dresidual unless it is null. */
MISH_API int mish_bn_backward_f32(const float* dy, const float* x,
                                  const float* residual, mish_bn_channels ch,
                                  float* dx, float* dresidual,
                                  mish_bn_shape shape);
MISH_API int mish_bn_backward_bf16(const uint16_t* dy, const uint16_t* x,
                                   const uint16_t* residual,
                                   mish_bn_channels ch, uint16_t* dx,
                                   uint16_t* dresidual, mish_bn_shape shape);
MISH_API int mish_bn_backward_f16(const uint16_t* dy, const uint16_t* x,
                                  const uint16_t* residual, mish_bn_channels ch,
                                  uint16_t* dx, uint16_t* dresidual,
                                  mish_bn_shape shape);

/* Name of the SIMD target the dispatcher chose, e.g. "AVX3", "AVX2", "NEON". */
MISH_API const char* mish_cpu_target(void);

#ifdef __cplusplus
}
#endif

#endif /* MISH_MISH_H_ */
