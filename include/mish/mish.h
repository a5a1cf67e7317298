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

/* Name of the SIMD target the dispatcher chose, e.g. "AVX3", "AVX2", "NEON". */
MISH_API const char* mish_cpu_target(void);

#ifdef __cplusplus
}
#endif

#endif /* MISH_MISH_H_ */
