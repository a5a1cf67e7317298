// The three element types: storage, float conversions (rounded once, to
// nearest even), and which maths policy gives results within their bounds.
#ifndef MISH_SRC_CUDA_TYPES_CUH_
#define MISH_SRC_CUDA_TYPES_CUH_

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>

#include "src/cuda/mish_math.cuh"

namespace mish::cuda {

template <class Pair>
__device__ __forceinline__ uint32_t Bits(Pair p) {
  static_assert(sizeof(Pair) == sizeof(uint32_t));
  uint32_t u;
  memcpy(&u, &p, sizeof(u));
  return u;
}

struct F32 {
  using Storage = float;
  using Math = AccurateMath;
  static constexpr bool kTail = true;
  static __device__ __forceinline__ float ToFloat(float v) { return v; }
  static __device__ __forceinline__ float FromFloat(float v) { return v; }
};

struct BF16 {
  using Storage = uint16_t;
  using Math = FastMath;
  static constexpr bool kTail = true;  // float32's exponent range
  static __device__ __forceinline__ float ToFloat(uint16_t v) {
    return __uint_as_float(static_cast<uint32_t>(v) << 16);
  }
  static __device__ __forceinline__ uint16_t FromFloat(float v) {
    return __bfloat16_as_ushort(__float2bfloat16_rn(v));
  }
  // Two lanes at once: one conversion instruction on sm_80+.
  static __device__ __forceinline__ float2 ToFloat2(uint32_t v) {
    return make_float2(__uint_as_float(v << 16),
                       __uint_as_float(v & 0xFFFF0000u));
  }
  static __device__ __forceinline__ uint32_t FromFloat2(float lo, float hi) {
    return Bits(__floats2bfloat162_rn(lo, hi));
  }
};

struct F16 {
  using Storage = uint16_t;
  using Math = FastMath;
  static constexpr bool kTail = false;  // mish(x) rounds to -0 below ~-20
  static __device__ __forceinline__ float ToFloat(uint16_t v) {
    return __half2float(__ushort_as_half(v));
  }
  static __device__ __forceinline__ uint16_t FromFloat(float v) {
    return __half_as_ushort(__float2half_rn(v));
  }
  static __device__ __forceinline__ float2 ToFloat2(uint32_t v) {
    __half2 h;
    memcpy(&h, &v, sizeof(h));
    return __half22float2(h);
  }
  static __device__ __forceinline__ uint32_t FromFloat2(float lo, float hi) {
    return Bits(__floats2half2_rn(lo, hi));
  }
};

// Mish and its derivative with the maths each type needs.
template <class Type>
__device__ __forceinline__ float MishOf(float x) {
  return Mish<typename Type::Math, Type::kTail>(x);
}

template <class Type>
__device__ __forceinline__ float MishGradOf(float x) {
  return MishGrad<typename Type::Math, Type::kTail>(x);
}

}  // namespace mish::cuda

#endif  // MISH_SRC_CUDA_TYPES_CUH_
