// The passes of fused batch norm + Mish. Element passes go through Map
// (16-byte loads, elementwise.cuh) with a cursor that steps the channel lane
// by lane; the two per-channel reductions accumulate float32 per thread,
// reduce in shared memory and add each block's sums to float64 totals.
#include <cuda_runtime.h>

#include "mish/mish_cuda.h"
#include "src/cuda/divider.cuh"
#include "src/cuda/elementwise.cuh"

namespace mish::cuda {
namespace {

// Channel of element i: NCHW runs hw elements per channel, channels-last 1.
struct Channels {
  Divider run;
  Divider c;

  explicit Channels(const mish_bn_shape& s)
      : run(s.channels_last ? 1 : s.hw), c(s.c) {}
};

struct Cursor {
  uint64_t ch;
  uint64_t pos;  // position within the channel's run

  __device__ Cursor(size_t i, const Channels& layout) {
    const uint64_t plane = layout.run.Div(i);
    pos = i - plane * layout.run.divisor();
    ch = plane - layout.c.Div(plane) * layout.c.divisor();
  }
  __device__ void Next(const Channels& layout) {
    if (++pos == layout.run.divisor()) {
      pos = 0;
      if (++ch == layout.c.divisor()) ch = 0;
    }
  }
};

// r is 0 without a residual; r_scale is null for a plain one.
__device__ __forceinline__ float Z(float x, float r, const mish_bn_channels& p,
                                   uint64_t ch) {
  const float z = fmaf(x, p.scale[ch], p.shift[ch]);
  return p.r_scale != nullptr ? fmaf(r, p.r_scale[ch], z) : z + r;
}

// in = {x} or {x, residual}.
template <class Type, int kIn>
struct ForwardFn {
  mish_bn_channels p;
  Channels layout;

  template <int N>
  __device__ void operator()(size_t i, const float (&in)[kIn][N],
                             float (&out)[N]) const {
    Cursor at(i, layout);
#pragma unroll
    for (int j = 0; j < N; ++j) {
      const float r = kIn == 2 ? in[kIn - 1][j] : 0.0f;
      out[j] = MishOf<Type>(Z(in[0][j], r, p, at.ch));
      at.Next(layout);
    }
  }
};

// in = {dy, x} or {dy, x, residual}; out = dx; dz also goes to dr if set.
template <class Type, int kIn>
struct BackwardFn {
  using S = typename Type::Storage;
  mish_bn_channels p;
  Channels layout;
  S* dr;

  template <int N>
  __device__ void operator()(size_t i, const float (&in)[kIn][N],
                             float (&out)[N]) const {
    Cursor at(i, layout);
#pragma unroll
    for (int j = 0; j < N; ++j) {
      const float x = in[1][j];
      const float r = kIn == 3 ? in[kIn - 1][j] : 0.0f;
      const uint64_t ch = at.ch;
      const float dz = in[0][j] * MishGradOf<Type>(Z(x, r, p, ch));
      if (dr != nullptr) {
        dr[i + j] = Type::FromFloat(
            p.r_g_dz == nullptr
                ? dz
                : fmaf(dz, p.r_g_dz[ch],
                       fmaf(r - p.r_mean[ch], p.r_g_xc[ch], p.r_g_0[ch])));
      }
      out[j] =
          fmaf(dz, p.g_dz[ch], fmaf(x - p.mean[ch], p.g_xc[ch], p.g_0[ch]));
      at.Next(layout);
    }
  }
};

// The reductions: a block of 32 x 8 threads sums a(i) and a(i) b_t(i),
// t < kTerms, over the elements of one channel (NCHW: blockIdx.y) or of 32
// channels (channels-last: blockIdx.y * 32 + threadIdx.x, rows by
// threadIdx.y).
constexpr int kLanes = 32;
constexpr int kRows = 8;

// Where the sums of a * b_t go, float64 [c] each.
template <int kTerms>
struct Sink {
  double* sums[kTerms];
};

struct StatisticsTerms {
  static constexpr int kTerms = 1;
  const float* k;
  template <class Type>
  __device__ void operator()(float x, float, float, uint64_t ch, float* a,
                             float (&b)[kTerms]) const {
    *a = b[0] = x - k[ch];
  }
};

// kTerms = 2: the residual is normalized too.
template <int kTermCount>
struct BackwardTerms {
  static constexpr int kTerms = kTermCount;
  mish_bn_channels p;
  template <class Type>
  __device__ void operator()(float x, float r, float dy, uint64_t ch, float* a,
                             float (&b)[kTerms]) const {
    *a = dy * MishGradOf<Type>(Z(x, r, p, ch));
    b[0] = x - p.mean[ch];
    if constexpr (kTerms == 2) b[1] = r - p.r_mean[ch];
  }
};

template <class Type, bool kChannelsLast, class Terms,
          class S = typename Type::Storage>
__global__ void __launch_bounds__(kLanes* kRows)
    SumsKernel(const S* x, const S* residual, const S* dy, Terms terms,
               mish_bn_shape s, Divider hw, double* sum_a,
               Sink<Terms::kTerms> sum_ab) {
  constexpr int kTerms = Terms::kTerms;
  const uint64_t per_channel = s.n * s.hw;
  uint64_t ch;
  uint64_t first;
  uint64_t step;
  if (kChannelsLast) {
    ch = static_cast<uint64_t>(blockIdx.y) * kLanes + threadIdx.x;
    first = static_cast<uint64_t>(blockIdx.x) * kRows + threadIdx.y;
    step = static_cast<uint64_t>(gridDim.x) * kRows;
  } else {
    ch = blockIdx.y;
    first = static_cast<uint64_t>(blockIdx.x) * kLanes * kRows +
            threadIdx.y * kLanes + threadIdx.x;
    step = static_cast<uint64_t>(gridDim.x) * kLanes * kRows;
  }
  float acc_a = 0.0f;
  float acc_ab[kTerms] = {};
  if (ch < s.c) {
    for (uint64_t e = first; e < per_channel; e += step) {
      uint64_t i;
      if (kChannelsLast) {
        i = e * s.c + ch;
      } else {
        const uint64_t image = hw.Div(e);
        i = (image * s.c + ch) * s.hw + (e - image * s.hw);
      }
      float a;
      float b[kTerms];
      terms.template operator()<Type>(
          Type::ToFloat(x[i]),
          residual != nullptr ? Type::ToFloat(residual[i]) : 0.0f,
          dy != nullptr ? Type::ToFloat(dy[i]) : 0.0f, ch, &a, b);
      acc_a += a;
#pragma unroll
      for (int t = 0; t < kTerms; ++t) acc_ab[t] += a * b[t];
    }
  }
  __shared__ float shared_a[kRows][kLanes];
  __shared__ float shared_ab[kTerms][kRows][kLanes];
  shared_a[threadIdx.y][threadIdx.x] = acc_a;
#pragma unroll
  for (int t = 0; t < kTerms; ++t) {
    shared_ab[t][threadIdx.y][threadIdx.x] = acc_ab[t];
  }
  __syncthreads();
  if (threadIdx.y != 0) return;
  for (int row = 1; row < kRows; ++row) {
    acc_a += shared_a[row][threadIdx.x];
#pragma unroll
    for (int t = 0; t < kTerms; ++t)
      acc_ab[t] += shared_ab[t][row][threadIdx.x];
  }
  if (!kChannelsLast) {
    // Across the warp too: one channel per block.
    for (int offset = kLanes / 2; offset > 0; offset /= 2) {
      acc_a += __shfl_down_sync(0xFFFFFFFFu, acc_a, offset);
#pragma unroll
      for (int t = 0; t < kTerms; ++t) {
        acc_ab[t] += __shfl_down_sync(0xFFFFFFFFu, acc_ab[t], offset);
      }
    }
    if (threadIdx.x != 0) return;
  }
  if (ch < s.c) {
    atomicAdd(sum_a + ch, static_cast<double>(acc_a));
#pragma unroll
    for (int t = 0; t < kTerms; ++t) {
      atomicAdd(sum_ab.sums[t] + ch, static_cast<double>(acc_ab[t]));
    }
  }
}

bool ValidShape(const mish_bn_shape& s, size_t* total) {
  return !__builtin_mul_overflow(s.n, s.c, total) &&
         !__builtin_mul_overflow(*total, s.hw, total) &&
         s.c < (s.channels_last ? (size_t{1} << 21) : size_t{65536});
}

template <class Type, class Terms, class S = typename Type::Storage>
cudaError_t Sums(const S* x, const S* residual, const S* dy, Terms terms,
                 const mish_bn_shape& s, double* sum_a,
                 Sink<Terms::kTerms> sum_ab, cudaStream_t stream) {
  size_t total = 0;
  if (!ValidShape(s, &total) || sum_a == nullptr) return cudaErrorInvalidValue;
  for (double* sum : sum_ab.sums) {
    if (sum == nullptr) return cudaErrorInvalidValue;
  }
  if (s.c == 0) return cudaSuccess;
  cudaError_t err = cudaMemsetAsync(sum_a, 0, s.c * sizeof(double), stream);
  for (double* sum : sum_ab.sums) {
    if (err == cudaSuccess) {
      err = cudaMemsetAsync(sum, 0, s.c * sizeof(double), stream);
    }
  }
  if (err != cudaSuccess || total == 0) return err;
  if (x == nullptr) return cudaErrorInvalidValue;
  // About 64 elements per thread: float32 sums stay accurate, and there are
  // blocks enough to fill the device.
  const size_t per_channel = s.n * s.hw;
  constexpr size_t kPerBlock = size_t{kLanes} * kRows * 64;
  const dim3 block(kLanes, kRows);
  const Divider hw(s.hw == 0 ? 1 : s.hw);
  if (s.channels_last) {
    const size_t bx =
        std::min<size_t>(4096, (per_channel + kRows * 64 - 1) / (kRows * 64));
    const dim3 grid(static_cast<unsigned>(bx),
                    static_cast<unsigned>((s.c + kLanes - 1) / kLanes));
    SumsKernel<Type, true><<<grid, block, 0, stream>>>(x, residual, dy, terms,
                                                       s, hw, sum_a, sum_ab);
  } else {
    const size_t bx =
        std::min<size_t>(4096, (per_channel + kPerBlock - 1) / kPerBlock);
    const dim3 grid(static_cast<unsigned>(bx), static_cast<unsigned>(s.c));
    SumsKernel<Type, false><<<grid, block, 0, stream>>>(x, residual, dy, terms,
                                                        s, hw, sum_a, sum_ab);
  }
  return cudaGetLastError();
}

// A normalized residual needs all its arrays, a plain one none.
bool ValidChannels(const mish_bn_channels& p, bool backward) {
  const bool r_backward = p.r_g_dz != nullptr && p.r_g_xc != nullptr &&
                          p.r_g_0 != nullptr && p.r_mean != nullptr;
  const bool residual_ok = p.r_scale == nullptr
                               ? p.r_mean == nullptr && p.r_g_dz == nullptr &&
                                     p.r_g_xc == nullptr && p.r_g_0 == nullptr
                               : !backward || r_backward;
  return residual_ok && p.scale != nullptr && p.shift != nullptr &&
         (!backward || (p.mean != nullptr && p.g_dz != nullptr &&
                        p.g_xc != nullptr && p.g_0 != nullptr));
}

template <class Type, class S = typename Type::Storage>
cudaError_t Statistics(const S* x, const float* k, const mish_bn_shape& s,
                       double* sum, double* sum_sq, cudaStream_t stream) {
  if (k == nullptr) return cudaErrorInvalidValue;
  return Sums<Type>(x, static_cast<const S*>(nullptr),
                    static_cast<const S*>(nullptr), StatisticsTerms{k}, s, sum,
                    Sink<1>{{sum_sq}}, stream);
}

template <class Type, class S = typename Type::Storage>
cudaError_t Forward(const S* x, const S* residual, const mish_bn_channels& p,
                    S* y, const mish_bn_shape& s, cudaStream_t stream) {
  size_t total = 0;
  if (!ValidShape(s, &total) || !ValidChannels(p, false) ||
      (p.r_scale != nullptr && residual == nullptr)) {
    return cudaErrorInvalidValue;
  }
  if (total == 0) return cudaSuccess;
  const Channels layout(s);
  if (residual == nullptr) {
    return Map<Type, 1>({{x}, y}, total, ForwardFn<Type, 1>{p, layout}, stream);
  }
  return Map<Type, 2>({{x, residual}, y}, total, ForwardFn<Type, 2>{p, layout},
                      stream);
}

template <class Type, class S = typename Type::Storage>
cudaError_t BackwardSums(const S* dy, const S* x, const S* residual,
                         const mish_bn_channels& p, const mish_bn_shape& s,
                         double* sum_dz, double* sum_dz_xc, double* sum_dz_rc,
                         cudaStream_t stream) {
  if (p.mean == nullptr || !ValidChannels(p, false)) {
    return cudaErrorInvalidValue;
  }
  size_t total = 0;
  if (ValidShape(s, &total) && total > 0 && dy == nullptr) {
    return cudaErrorInvalidValue;
  }
  if (sum_dz_rc == nullptr) {
    return Sums<Type>(x, residual, dy, BackwardTerms<1>{p}, s, sum_dz,
                      Sink<1>{{sum_dz_xc}}, stream);
  }
  if (residual == nullptr || p.r_mean == nullptr) return cudaErrorInvalidValue;
  return Sums<Type>(x, residual, dy, BackwardTerms<2>{p}, s, sum_dz,
                    Sink<2>{{sum_dz_xc, sum_dz_rc}}, stream);
}

template <class Type, class S = typename Type::Storage>
cudaError_t Backward(const S* dy, const S* x, const S* residual,
                     const mish_bn_channels& p, S* dx, S* dresidual,
                     const mish_bn_shape& s, cudaStream_t stream) {
  size_t total = 0;
  if (!ValidShape(s, &total) || !ValidChannels(p, true)) {
    return cudaErrorInvalidValue;
  }
  if (total == 0) return cudaSuccess;
  if ((dresidual != nullptr && residual == nullptr) ||
      (p.r_scale != nullptr && residual == nullptr)) {
    return cudaErrorInvalidValue;
  }
  const Channels layout(s);
  if (residual == nullptr) {
    return Map<Type, 2>({{dy, x}, dx}, total,
                        BackwardFn<Type, 2>{p, layout, nullptr}, stream);
  }
  return Map<Type, 3>({{dy, x, residual}, dx}, total,
                      BackwardFn<Type, 3>{p, layout, dresidual}, stream);
}

}  // namespace
}  // namespace mish::cuda

extern "C" {

#define MISH_CUDA_BN_DEFINE(suffix, Type, S)                                  \
  cudaError_t mish_cuda_bn_statistics_##suffix(                               \
      const S* x, const float* k, mish_bn_shape shape, double* sum,           \
      double* sum_sq, cudaStream_t stream) {                                  \
    return mish::cuda::Statistics<mish::cuda::Type>(x, k, shape, sum, sum_sq, \
                                                    stream);                  \
  }                                                                           \
  cudaError_t mish_cuda_bn_forward_##suffix(                                  \
      const S* x, const S* residual, mish_bn_channels ch, S* y,               \
      mish_bn_shape shape, cudaStream_t stream) {                             \
    return mish::cuda::Forward<mish::cuda::Type>(x, residual, ch, y, shape,   \
                                                 stream);                     \
  }                                                                           \
  cudaError_t mish_cuda_bn_backward_sums_##suffix(                            \
      const S* dy, const S* x, const S* residual, mish_bn_channels ch,        \
      mish_bn_shape shape, double* sum_dz, double* sum_dz_xc,                 \
      double* sum_dz_rc, cudaStream_t stream) {                               \
    return mish::cuda::BackwardSums<mish::cuda::Type>(                        \
        dy, x, residual, ch, shape, sum_dz, sum_dz_xc, sum_dz_rc, stream);    \
  }                                                                           \
  cudaError_t mish_cuda_bn_backward_##suffix(                                 \
      const S* dy, const S* x, const S* residual, mish_bn_channels ch, S* dx, \
      S* dresidual, mish_bn_shape shape, cudaStream_t stream) {               \
    return mish::cuda::Backward<mish::cuda::Type>(dy, x, residual, ch, dx,    \
                                                  dresidual, shape, stream);  \
  }

MISH_CUDA_BN_DEFINE(f32, F32, float)
MISH_CUDA_BN_DEFINE(bf16, BF16, uint16_t)
MISH_CUDA_BN_DEFINE(f16, F16, uint16_t)

#undef MISH_CUDA_BN_DEFINE

}  // extern "C"
