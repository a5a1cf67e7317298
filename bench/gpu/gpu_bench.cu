// Speed of the CUDA kernels at 2^28 elements (far beyond any L2 cache, so
// memory-bound): GB/s counting bytes read + written, against a
// device-to-device copy and ReLU kernels in the same style (same loads,
// unrolling and launch), all measured in this run. Median of CUDA-event
// timings. Usage: mish_gpu_bench [log2 elements] [repetitions]
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "mish/mish_cuda.h"
#include "src/cuda/divider.cuh"
#include "src/cuda/elementwise.cuh"

namespace mish::bench {
namespace {

using cuda::Arrays;
using cuda::Map;

#define BENCH_CHECK(expr)                                                \
  do {                                                                   \
    const cudaError_t err_ = (expr);                                     \
    if (err_ != cudaSuccess) {                                           \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, \
                   cudaGetErrorString(err_));                            \
      std::exit(1);                                                      \
    }                                                                    \
  } while (0)

struct ReluFn {
  template <int N>
  __device__ void operator()(size_t, const float (&in)[1][N],
                             float (&out)[N]) const {
#pragma unroll
    for (int j = 0; j < N; ++j) out[j] = in[0][j] > 0.0f ? in[0][j] : 0.0f;
  }
};

// threshold_backward: dx = x > 0 ? dy : 0.
struct ReluBackwardFn {
  template <int N>
  __device__ void operator()(size_t, const float (&in)[2][N],
                             float (&out)[N]) const {
#pragma unroll
    for (int j = 0; j < N; ++j) out[j] = in[0][j] > 0.0f ? in[1][j] : 0.0f;
  }
};

// The unfused baseline's first pass: y = x + bias[(i / hw) % c].
template <class Type>
struct BiasAddFn {
  const typename Type::Storage* bias;
  cuda::Divider hw;
  cuda::Divider c;
  template <int N>
  __device__ void operator()(size_t i, const float (&in)[1][N],
                             float (&out)[N]) const {
#pragma unroll
    for (int j = 0; j < N; ++j) {
      const uint64_t plane = hw.Div(i + j);
      const uint64_t ch = plane - c.Div(plane) * c.divisor();
      out[j] = in[0][j] + Type::ToFloat(__ldg(bias + ch));
    }
  }
};

// Values in [-8, 8), a spread that exercises both signs of every branch.
template <class Type>
__global__ void Fill(typename Type::Storage* p, size_t n, uint32_t seed) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    uint32_t h = static_cast<uint32_t>(i) * 2654435761u ^ seed;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    p[i] = Type::FromFloat(static_cast<float>(h) * 0x1p-28f - 8.0f);
  }
}

int g_reps = 50;

// Median milliseconds of fn over g_reps runs, after warm-up.
double MedianMs(const std::function<cudaError_t()>& fn) {
  cudaEvent_t start, stop;
  BENCH_CHECK(cudaEventCreate(&start));
  BENCH_CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < 3; ++i) BENCH_CHECK(fn());
  std::vector<float> ms(g_reps);
  for (auto& m : ms) {
    BENCH_CHECK(cudaEventRecord(start));
    BENCH_CHECK(fn());
    BENCH_CHECK(cudaEventRecord(stop));
    BENCH_CHECK(cudaEventSynchronize(stop));
    BENCH_CHECK(cudaEventElapsedTime(&m, start, stop));
  }
  BENCH_CHECK(cudaEventDestroy(start));
  BENCH_CHECK(cudaEventDestroy(stop));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

double GBps(double bytes, double ms) { return bytes / (ms * 1e6); }

struct Buffers {
  void* x;
  void* dy;
  void* y;
  void* bias;
};

template <class Type>
struct Entry;
template <>
struct Entry<cuda::F32> {
  static constexpr const char* kName = "float32";
  static constexpr auto kForward = mish_cuda_forward_f32;
  static constexpr auto kBackward = mish_cuda_backward_f32;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_f32;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_f32;
};
template <>
struct Entry<cuda::BF16> {
  static constexpr const char* kName = "bfloat16";
  static constexpr auto kForward = mish_cuda_forward_bf16;
  static constexpr auto kBackward = mish_cuda_backward_bf16;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_bf16;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_bf16;
};
template <>
struct Entry<cuda::F16> {
  static constexpr const char* kName = "float16";
  static constexpr auto kForward = mish_cuda_forward_f16;
  static constexpr auto kBackward = mish_cuda_backward_f16;
  static constexpr auto kBiasRows = mish_cuda_bias_forward_rows_f16;
  static constexpr auto kBiasNchw = mish_cuda_bias_forward_nchw_f16;
};

template <class Type>
void BenchType(const Buffers& b, size_t n) {
  using S = typename Type::Storage;
  using E = Entry<Type>;
  const auto x = static_cast<S*>(b.x);
  const auto dy = static_cast<S*>(b.dy);
  const auto y = static_cast<S*>(b.y);
  const auto bias = static_cast<S*>(b.bias);
  Fill<Type><<<1024, 256>>>(x, n, 1);
  Fill<Type><<<1024, 256>>>(dy, n, 2);
  Fill<Type><<<1024, 256>>>(bias, 4096, 3);
  BENCH_CHECK(cudaGetLastError());
  const double io2 = 2.0 * n * sizeof(S);
  const double io3 = 3.0 * n * sizeof(S);

  const double copy = GBps(io2, MedianMs([&] {
                             return cudaMemcpyAsync(y, x, n * sizeof(S),
                                                    cudaMemcpyDeviceToDevice);
                           }));
  const double fwd =
      GBps(io2, MedianMs([&] { return E::kForward(x, y, n, nullptr); }));
  const double relu =
      GBps(io2, MedianMs([&] {
             return Map<Type, 1>({{x}, y}, n, ReluFn{}, nullptr);
           }));
  const double bwd =
      GBps(io3, MedianMs([&] { return E::kBackward(x, dy, y, n, nullptr); }));
  const double relu_bwd =
      GBps(io3, MedianMs([&] {
             return Map<Type, 2>({{x, dy}, y}, n, ReluBackwardFn{}, nullptr);
           }));
  std::printf(
      "| %-8s | forward  | %7.0f | %7.0f | %5.1f%% | %7.0f | %5.1f%% |\n",
      E::kName, fwd, relu, 100.0 * fwd / relu, copy, 100.0 * fwd / copy);
  std::printf(
      "| %-8s | backward | %7.0f | %7.0f | %5.1f%% | %7.0f | %5.1f%% |\n",
      E::kName, bwd, relu_bwd, 100.0 * bwd / relu_bwd, copy,
      100.0 * bwd / copy);
}

// Fused bias + Mish against bias-add then Mish (two passes), same shape.
template <class Type>
void BenchBias(const Buffers& b, size_t n) {
  using S = typename Type::Storage;
  using E = Entry<Type>;
  const auto x = static_cast<S*>(b.x);
  const auto y = static_cast<S*>(b.y);
  const auto bias = static_cast<S*>(b.bias);
  struct Case {
    const char* name;
    size_t outer, c, hw;
  };
  const Case cases[] = {{"rows [n/1024, 1024]", n / 1024, 1024, 1},
                        {"nchw [n/200704, 64, 56*56]", n / 200704, 64, 3136},
                        {"nchw [n/25088, 512, 7*7]", n / 25088, 512, 49}};
  for (const Case& k : cases) {
    const size_t m = k.outer * k.c * k.hw;
    const double io = 2.0 * m * sizeof(S);
    const double fused = MedianMs([&] {
      return k.hw == 1 ? E::kBiasRows(x, bias, y, k.outer, k.c, nullptr)
                       : E::kBiasNchw(x, bias, y, k.outer, k.c, k.hw, nullptr);
    });
    const double unfused = MedianMs([&] {
      const cudaError_t err = Map<Type, 1>(
          {{x}, y}, m,
          BiasAddFn<Type>{bias, cuda::Divider(k.hw), cuda::Divider(k.c)},
          nullptr);
      return err != cudaSuccess ? err : E::kForward(y, y, m, nullptr);
    });
    std::printf("| %-8s | %-27s | %7.0f | %7.3f | %7.3f | %5.2fx |\n", E::kName,
                k.name, GBps(io, fused), fused, unfused, unfused / fused);
  }
}

int Main(int argc, char** argv) {
  const int log2n = argc > 1 ? std::atoi(argv[1]) : 28;
  if (argc > 2) g_reps = std::max(1, std::atoi(argv[2]));
  const size_t n = size_t{1} << log2n;
  cudaDeviceProp prop{};
  BENCH_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, %d SMs, L2 %.0f MiB, memory %.0f GiB\n", prop.name,
              prop.multiProcessorCount, prop.l2CacheSize / 1048576.0,
              prop.totalGlobalMem / 1073741824.0);
  std::printf(
      "elements: 2^%d, median of %d runs, GB/s = (bytes read + "
      "written) / time\n\n",
      log2n, g_reps);
  Buffers b{};
  BENCH_CHECK(cudaMalloc(&b.x, n * sizeof(float)));
  BENCH_CHECK(cudaMalloc(&b.dy, n * sizeof(float)));
  BENCH_CHECK(cudaMalloc(&b.y, n * sizeof(float)));
  BENCH_CHECK(cudaMalloc(&b.bias, 4096 * sizeof(float)));

  std::printf(
      "| type     | pass     | mish GB/s | ReLU GB/s | of ReLU | "
      "copy GB/s | of copy |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  BenchType<cuda::F32>(b, n);
  BenchType<cuda::BF16>(b, n);
  BenchType<cuda::F16>(b, n);

  std::printf(
      "\n| type     | shape                       | fused GB/s | "
      "fused ms | bias-add + mish ms | speedup |\n");
  std::printf("|---|---|---:|---:|---:|---:|\n");
  BenchBias<cuda::F32>(b, n);
  BenchBias<cuda::BF16>(b, n);
  BenchBias<cuda::F16>(b, n);

  BENCH_CHECK(cudaFree(b.x));
  BENCH_CHECK(cudaFree(b.dy));
  BENCH_CHECK(cudaFree(b.y));
  BENCH_CHECK(cudaFree(b.bias));
  return 0;
}

}  // namespace
}  // namespace mish::bench

int main(int argc, char** argv) { return mish::bench::Main(argc, argv); }
