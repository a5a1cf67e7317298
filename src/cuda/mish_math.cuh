// Mish and its derivative on one float: the maths of every CUDA kernel, the
// same as the CPU kernels' (src/core/mish-inl.h). With e = e^x and
// n = e (e + 2): tanh(softplus(x)) = n / (n + 2) and
// mish'(x) = n/(n+2) + 4 x e (1 + e) / (n+2)^2. One exp, one reciprocal.
//
// The functions are templated on a maths policy (exp and reciprocal):
// AccurateMath for float32 results, FastMath (hardware approximations) for
// 16-bit results, and on whether the subnormal tail needs its own path. The
// file also compiles as plain C++, so the host test (tests/cuda/math_test.cc)
// checks the very formulas the GPU runs without a GPU; the kernels are built
// with --fmad=false so host and device round alike.
#ifndef MISH_SRC_CUDA_MISH_MATH_CUH_
#define MISH_SRC_CUDA_MISH_MATH_CUH_

#include <cmath>
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define MISH_HD __host__ __device__ __forceinline__
#else
#define MISH_HD inline
#endif

namespace mish::cuda {

// Above this, n/(n+2) rounds to 1 in float32 (and n stays finite).
inline constexpr float kClampHigh = 20.0f;
// Below this, e^x would be subnormal: e^x 2^64 is used and 2^-64 folded into
// the final product, so only that product may round into subnormals.
inline constexpr float kTailBelow = -87.0f;
inline constexpr int kTailExponent = 64;
inline constexpr float kTailScale = 0x1p-64f;
// The result underflows to -0 well above this (x e^x < 2^-150 below -104);
// clamping keeps 2^(k + 64) in range and makes mish(-inf) = -0, not -inf * 0.
inline constexpr float kClampLow = -120.0f;

MISH_HD uint32_t FloatBits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
#endif
}

MISH_HD float BitsFloat(uint32_t u) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
#endif
}

// e^x 2^scale for x in [-120, 20] (the range Mish feeds it), scale 0 or 64,
// to within 1 ulp.
MISH_HD float ExpScaled(float x, int scale) {
  // Adding 1.5 * 2^23 + 127 rounds x * log2(e) to an integer k and leaves
  // k + 127 in the low mantissa bits: shifted by 23 they are 2^k as a float.
  // Multiplying by 2^k (rather than adding to the exponent bits) keeps NaN.
  constexpr float kShifter = 12582912.0f + 127.0f;
  const float kf = fmaf(x, 1.44269504088896341f, kShifter);
  const float k = kf - kShifter;
  // r = x - k ln2 in two steps: ln2_hi has 9 bits, so k * ln2_hi is exact.
  float r = fmaf(-k, 0.693359375f, x);
  r = fmaf(-k, -2.12194440e-4f, r);
  // e^r on [-ln2/2, ln2/2]: the CPU's polynomial (src/core/exp-inl.h).
  float p = 0x1.6a3a32p-10f;
  p = fmaf(p, r, 0x1.123854p-7f);
  p = fmaf(p, r, 0x1.5558c0p-5f);
  p = fmaf(p, r, 0x1.555494p-3f);
  p = fmaf(p, r, 0x1.fffffcp-2f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  return p * BitsFloat((FloatBits(kf) + static_cast<uint32_t>(scale)) << 23);
}

// float32 results: the exp above and the correctly rounded reciprocal. The
// quotients are corrected by their remainders (see Mish), so no division is
// needed.
struct AccurateMath {
  static constexpr bool kCompensated = true;
  // e^x 2^scale.
  static MISH_HD float Exp(float x, int scale) { return ExpScaled(x, scale); }
  // 1 / d for d in [2, 2^126), the only divisors here (d = n + 2 <= e^40):
  // one Newton step on the hardware's approximation is the sequence nvcc
  // emits for a correctly rounded reciprocal in that range, without its
  // range check and slow path.
  static MISH_HD float Recip(float d) {
#ifdef __CUDA_ARCH__
    float r;
    asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(d));
    return fmaf(r, -fmaf(d, r, -1.0f), r);
#else
    return 1.0f / d;
#endif
  }
};

#ifdef __CUDACC__
// 16-bit results: the hardware approximations (relative error near 2^-22)
// vanish in the final rounding to 8 or 11 bits, and take one instruction
// each instead of ~20, which keeps the 16-bit kernels (twice the elements
// per byte) memory-bound. Arguments and results stay normal, so flushing
// subnormals (.ftz, the fastest form) changes nothing.
struct FastMath {
  static constexpr bool kCompensated = false;
  static __device__ __forceinline__ float Exp(float x, int scale) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;"
        : "=f"(y)
        : "f"(x * 1.44269504f + static_cast<float>(scale)));
    return y;
  }
  static __device__ __forceinline__ float Recip(float d) {
    float r;
    asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(d));
    return r;
  }
};
#endif

// What forward and backward share. With kTail, lanes below kTailBelow use
// e = e^x 2^64: there n/(n+2) = e^x to float32 precision, so t = e. Types
// whose results underflow well above -87 (binary16) skip the tail.
template <class Math, bool kTail>
struct Softplus {
  bool tail;  // kTail and x < kTailBelow (and -inf); false for NaN
  float xc;   // x clamped to [kClampLow, kClampHigh]; NaN stays NaN
  float e;    // e^xc, or e^xc 2^64 in the tail
  float n;    // e^2 + 2e
  float d;    // n + 2
  float r;    // 1 / d

  MISH_HD explicit Softplus(float x) {
    tail = kTail && x < kTailBelow;
    // Comparisons are false for NaN, so these selects pass NaN through.
    xc = x > kClampHigh ? kClampHigh : (x < kClampLow ? kClampLow : x);
    e = Math::Exp(xc, tail ? kTailExponent : 0);
    n = fmaf(e, e, 2.0f * e);
    d = n + 2.0f;
    r = Math::Recip(d);
  }

  // The rounding errors of n and d, so that n + n_lo and d + d_lo are exact
  // to ~2^-48 where x <= 0 (there 2e - n is exact and Fast2Sum applies);
  // above 0 the quotients hardly depend on them.
  MISH_HD void Lows(float* n_lo, float* d_lo) const {
    *n_lo = fmaf(e, e, 2.0f * e - n);
    *d_lo = (n - (d - 2.0f)) + *n_lo;
  }
};

// In float32 both functions are one branch-free expression for every sign
// of x: warps of mixed signs, the rule in activations, run it once. Only
// the rare subnormal tail and the clamp pick another value.

// mish(x) = x n / d; mish(+inf) = +inf, mish(-inf) = -0, mish(-0) = -0,
// NaN -> NaN.
template <class Math, bool kTail = true>
MISH_HD float Mish(float x) {
  const Softplus<Math, kTail> s(x);
  float y;
  if constexpr (Math::kCompensated) {
    // Five roundings in x n r would cost up to 4 ulp: correct the quotient
    // q = n r by its remainder with n and d carried to ~2^-48, leaving e's
    // error and one rounding (1.7 ulp over every input).
    float n_lo, d_lo;
    s.Lows(&n_lo, &d_lo);
    const float q = s.n * s.r;
    float rem = fmaf(-q, s.d, s.n);  // n - q d, exact
    rem = fmaf(-q, d_lo, rem + n_lo);
    // x q + x rem r: its sign is x's, -0 included.
    y = copysignf(fmaf(x, q, x * (rem * s.r)), x);
    // Above the clamp n/d is 1 in float32; this also keeps +inf from NaN.
    y = x > kClampHigh ? x : y;
  } else {
    // Without the tail, x < kClampLow has t = 0 and xc keeps -inf * 0 away.
    y = (!kTail && x < kClampLow ? s.xc : x) * (s.n * s.r);
  }
  return kTail && s.tail ? (s.xc * s.e) * kTailScale : y;
}

// mish'(x) = n/(n+2) + 4 x e (1 + e) / (n+2)^2
//          = e (e^3 + 4e^2 + (6 + 4x) e + 4 (1 + x)) / d^2,
// the cancellation for x < 0 left to a polynomial with exact coefficients
// (zero only at mish's minimum). mish'(+inf) = 1, mish'(-inf) = -0,
// NaN -> NaN.
template <class Math, bool kTail = true>
MISH_HD float MishGrad(float x) {
  const Softplus<Math, kTail> s(x);
  const float e = s.e;
  const float b = fmaf(e, fmaf(e, e + 4.0f, fmaf(4.0f, s.xc, 6.0f)),
                       fmaf(4.0f, s.xc, 4.0f));
  const float eb = e * b;
  float g;
  if constexpr (Math::kCompensated) {
    // g = eb r^2, corrected by the remainder of eb over d^2 carried to
    // ~2^-47 (dd + dd_lo + 2 d d_lo): 3.4 ulp instead of ~6 from d, r, r^2.
    float n_lo, d_lo;
    s.Lows(&n_lo, &d_lo);
    const float rr = s.r * s.r;
    g = eb * rr;
    const float dd = s.d * s.d;
    const float dd_lo = fmaf(s.d, s.d, -dd);
    float rem = fmaf(-g, dd, eb);
    rem = fmaf(-g, fmaf(2.0f * d_lo, s.d, dd_lo), rem);
    g = fmaf(rem, rr, g);
    // Above the clamp mish' is 1 in float32; this also maps +inf to 1.
    g = x > kClampHigh ? 1.0f : g;
  } else {
    g = eb * Math::Recip(s.d * s.d);
  }
  return kTail && s.tail ? ((s.xc + 1.0f) * e) * kTailScale : g;  // (1+x) e^x
}

}  // namespace mish::cuda

#endif  // MISH_SRC_CUDA_MISH_MATH_CUH_
