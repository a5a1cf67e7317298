// One memory pass over arrays of the same length: each thread loads several
// independent 16-byte vectors per array before computing, so enough bytes are
// in flight to run at the memory's speed. Elements before the first 16-byte
// boundary and after the last whole vector (and every element, when the
// arrays are not equally aligned) take a scalar path in the same launch.
//
// A functor sees float lanes: fn<N>(i, in, out) computes out[0..N) for the
// elements i..i+N-1 from in[k][0..N), input array k. N is the vector width
// or 1; i lets a functor find per-element data such as a bias.
#ifndef MISH_SRC_CUDA_ELEMENTWISE_CUH_
#define MISH_SRC_CUDA_ELEMENTWISE_CUH_

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "src/cuda/types.cuh"

namespace mish::cuda {

inline constexpr int kThreads = 256;
inline constexpr int kUnroll = 4;  // vectors in flight per thread and array
inline constexpr size_t kVectorBytes = 16;

template <class S>
inline constexpr int kVecWidth = static_cast<int>(kVectorBytes / sizeof(S));

template <class S, int N>
struct alignas(sizeof(S) * N) Vec {
  S v[N];
};

template <class Type, int N>
__device__ __forceinline__ void ToFloats(
    const Vec<typename Type::Storage, N>& raw, float (&out)[N]) {
  if constexpr (sizeof(typename Type::Storage) == 2 && N % 2 == 0) {
    uint32_t w[N / 2];
    memcpy(w, &raw, sizeof(w));
#pragma unroll
    for (int j = 0; j < N / 2; ++j) {
      const float2 f = Type::ToFloat2(w[j]);
      out[2 * j] = f.x;
      out[2 * j + 1] = f.y;
    }
  } else {
#pragma unroll
    for (int j = 0; j < N; ++j) out[j] = Type::ToFloat(raw.v[j]);
  }
}

template <class Type, int N>
__device__ __forceinline__ Vec<typename Type::Storage, N> FromFloats(
    const float (&in)[N]) {
  Vec<typename Type::Storage, N> raw;
  if constexpr (sizeof(typename Type::Storage) == 2 && N % 2 == 0) {
    uint32_t w[N / 2];
#pragma unroll
    for (int j = 0; j < N / 2; ++j) {
      w[j] = Type::FromFloat2(in[2 * j], in[2 * j + 1]);
    }
    memcpy(&raw, w, sizeof(w));
  } else {
#pragma unroll
    for (int j = 0; j < N; ++j) raw.v[j] = Type::FromFloat(in[j]);
  }
  return raw;
}

template <class S, int kIn>
struct Arrays {
  const S* in[kIn];
  S* out;
};

// Which elements take which path: [0, head) and [head + nvec * width, n)
// are scalar (ragged of them in all), the rest whole aligned vectors.
struct Split {
  size_t head;
  size_t nvec;
  size_t ragged;
};

template <class Type, int kIn, class Fn>
__global__ void __launch_bounds__(kThreads)
    MapKernel(Arrays<typename Type::Storage, kIn> a, Fn fn, Split split) {
  using S = typename Type::Storage;
  constexpr int kW = kVecWidth<S>;
  using V = Vec<S, kW>;
  const size_t step = static_cast<size_t>(gridDim.x) * kThreads * kUnroll;
  for (size_t base =
           static_cast<size_t>(blockIdx.x) * kThreads * kUnroll + threadIdx.x;
       base < split.nvec; base += step) {
    V raw[kUnroll][kIn];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t v = base + static_cast<size_t>(u) * kThreads;
      if (v < split.nvec) {
#pragma unroll
        for (int k = 0; k < kIn; ++k) {
          raw[u][k] = reinterpret_cast<const V*>(a.in[k] + split.head)[v];
        }
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t v = base + static_cast<size_t>(u) * kThreads;
      if (v < split.nvec) {
        float in[kIn][kW];
#pragma unroll
        for (int k = 0; k < kIn; ++k) ToFloats<Type>(raw[u][k], in[k]);
        float out[kW];
        fn.template operator()<kW>(split.head + v * kW, in, out);
        reinterpret_cast<V*>(a.out + split.head)[v] = FromFloats<Type>(out);
      }
    }
  }
  const size_t threads = static_cast<size_t>(gridDim.x) * kThreads;
  for (size_t r = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
       r < split.ragged; r += threads) {
    const size_t i = r < split.head ? r : r + split.nvec * kW;
    float in[kIn][1];
#pragma unroll
    for (int k = 0; k < kIn; ++k) in[k][0] = Type::ToFloat(a.in[k][i]);
    float out[1];
    fn.template operator()<1>(i, in, out);
    a.out[i] = Type::FromFloat(out[0]);
  }
}

// Checks the arguments, splits the work and launches; returns the launch's
// error. Arrays must be aligned to their element size; in place is allowed
// (out may equal any input).
template <class Type, int kIn, class Fn>
cudaError_t Map(Arrays<typename Type::Storage, kIn> a, size_t n, Fn fn,
                cudaStream_t stream) {
  using S = typename Type::Storage;
  constexpr size_t kW = kVecWidth<S>;
  if (n == 0) return cudaSuccess;
  const auto offset = [](const void* p) {
    return reinterpret_cast<uintptr_t>(p) % kVectorBytes;
  };
  const uintptr_t misalign = offset(a.out);
  if (a.out == nullptr || misalign % sizeof(S) != 0) {
    return cudaErrorInvalidValue;
  }
  bool same_alignment = true;
  for (int k = 0; k < kIn; ++k) {
    if (a.in[k] == nullptr || offset(a.in[k]) % sizeof(S) != 0) {
      return cudaErrorInvalidValue;
    }
    same_alignment = same_alignment && offset(a.in[k]) == misalign;
  }
  Split split{n, 0, n};
  if (same_alignment) {
    split.head =
        std::min(n, (kVectorBytes - misalign) % kVectorBytes / sizeof(S));
    split.nvec = (n - split.head) / kW;
    split.ragged = n - split.nvec * kW;
  }
  const auto blocks_for = [](size_t work, size_t per_block) {
    return (work + per_block - 1) / per_block;
  };
  // Grid-stride loops cover what a capped grid does not.
  constexpr size_t kMaxBlocks = size_t{1} << 24;
  const size_t blocks = std::min(
      kMaxBlocks, std::max(blocks_for(split.nvec, size_t{kThreads} * kUnroll),
                           blocks_for(split.ragged, kThreads)));
  MapKernel<Type, kIn>
      <<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(a, fn, split);
  return cudaGetLastError();
}

}  // namespace mish::cuda

#endif  // MISH_SRC_CUDA_ELEMENTWISE_CUH_
