// CPU kernels against their peers, in one run:
//   one thread, 65,536 float32 in cache: ours vs oneDNN eltwise_mish vs
//   LibTorch mish, forward and backward; 16-bit types alongside;
//   all cores, 2^26 float32: the _mt kernels vs memcpy over the same bytes.
// Compare items_per_second within one run; machines are noisy.
#include <benchmark/benchmark.h>
#include <stdint.h>
#include <string.h>

#include <random>
#include <thread>
#include <vector>

#include "mish/mish.h"

#ifdef MISH_BENCH_ONEDNN
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#endif
#ifdef MISH_BENCH_TORCH
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#endif

namespace {

constexpr int64_t kInCache = 65536;
constexpr int64_t kLarge = int64_t{1} << 26;

// Activations as a network produces them: mostly within [-6, 6].
std::vector<float> Inputs(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = dist(rng);
  return v;
}

std::vector<uint16_t> ToBits16(const std::vector<float>& v, bool bf16) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t b;
    memcpy(&b, &v[i], 4);
    if (bf16) {
      out[i] = static_cast<uint16_t>(b >> 16);
    } else {  // inputs are small normal numbers: truncation is fine here
      const int e = static_cast<int>((b >> 23) & 0xFF) - 127 + 15;
      out[i] = static_cast<uint16_t>(
          ((b >> 16) & 0x8000) | (e > 0 ? (e << 10) | ((b >> 13) & 0x3FF) : 0));
    }
  }
  return out;
}

void SetCounters(benchmark::State& state, int64_t n, int64_t bytes_per_item) {
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * bytes_per_item);
}

void BM_Forward_F32_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    mish_forward_f32(x.data(), y.data(), x.size());
    benchmark::DoNotOptimize(y.data());
  }
  SetCounters(state, n, 8);
  state.SetLabel(mish_cpu_target());
}

void BM_Backward_F32_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1), dy = Inputs(n, 2);
  std::vector<float> dx(x.size());
  for (auto _ : state) {
    mish_backward_f32(x.data(), dy.data(), dx.data(), x.size());
    benchmark::DoNotOptimize(dx.data());
  }
  SetCounters(state, n, 12);
  state.SetLabel(mish_cpu_target());
}

template <bool kBf16>
void BM_Forward_16_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = ToBits16(Inputs(n, 1), kBf16);
  std::vector<uint16_t> y(x.size());
  for (auto _ : state) {
    (kBf16 ? mish_forward_bf16 : mish_forward_f16)(x.data(), y.data(),
                                                   x.size());
    benchmark::DoNotOptimize(y.data());
  }
  SetCounters(state, n, 4);
}

template <bool kBf16>
void BM_Backward_16_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = ToBits16(Inputs(n, 1), kBf16), dy = ToBits16(Inputs(n, 2), kBf16);
  std::vector<uint16_t> dx(x.size());
  for (auto _ : state) {
    (kBf16 ? mish_backward_bf16 : mish_backward_f16)(x.data(), dy.data(),
                                                     dx.data(), x.size());
    benchmark::DoNotOptimize(dx.data());
  }
  SetCounters(state, n, 6);
}

void BM_Forward_F32_MT_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    mish_forward_f32_mt(x.data(), y.data(), x.size(), 0);
    benchmark::DoNotOptimize(y.data());
  }
  SetCounters(state, n, 8);
}

void BM_Backward_F32_MT_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1), dy = Inputs(n, 2);
  std::vector<float> dx(x.size());
  for (auto _ : state) {
    mish_backward_f32_mt(x.data(), dy.data(), dx.data(), x.size(), 0);
    benchmark::DoNotOptimize(dx.data());
  }
  SetCounters(state, n, 12);
}

// The memory ceiling: copies of the same bytes, split over all cores like
// the _mt kernels (read n floats, write n floats).
void BM_Memcpy_MT(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1);
  std::vector<float> y(x.size());
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t chunk = (x.size() + threads - 1) / threads;
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (size_t b = chunk; b < x.size(); b += chunk) {
      pool.emplace_back([&, b] {
        memcpy(y.data() + b, x.data() + b,
               std::min(chunk, x.size() - b) * sizeof(float));
      });
    }
    memcpy(y.data(), x.data(), std::min(chunk, x.size()) * sizeof(float));
    for (auto& t : pool) t.join();
    benchmark::DoNotOptimize(y.data());
  }
  SetCounters(state, n, 8);
}

#ifdef MISH_BENCH_ONEDNN
struct OneDnn {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::memory::desc md;
  dnnl::eltwise_forward::primitive_desc fwd_pd;
  explicit OneDnn(int64_t n)
      : md({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a),
        fwd_pd({dnnl::prop_kind::forward_training,
                dnnl::algorithm::eltwise_mish, md, 0.0f, 0.0f},
               eng) {
    omp_set_num_threads(1);
  }
  dnnl::memory Wrap(float* p) { return dnnl::memory(md, eng, p); }
};

void BM_Forward_F32_OneDnn(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1);
  std::vector<float> y(x.size());
  OneDnn o(n);
  dnnl::eltwise_forward fwd(o.fwd_pd);
  auto src = o.Wrap(x.data()), dst = o.Wrap(y.data());
  for (auto _ : state) {
    fwd.execute(o.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    o.strm.wait();
    benchmark::DoNotOptimize(y.data());
  }
  SetCounters(state, n, 8);
}

void BM_Backward_F32_OneDnn(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto x = Inputs(n, 1), dy = Inputs(n, 2);
  std::vector<float> dx(x.size());
  OneDnn o(n);
  dnnl::eltwise_backward::primitive_desc bwd_pd(
      {dnnl::algorithm::eltwise_mish, o.md, o.md, 0.0f, 0.0f}, o.eng, o.fwd_pd);
  dnnl::eltwise_backward bwd(bwd_pd);
  auto src = o.Wrap(x.data()), ddst = o.Wrap(dy.data()),
       dsrc = o.Wrap(dx.data());
  for (auto _ : state) {
    bwd.execute(o.strm, {{DNNL_ARG_SRC, src},
                         {DNNL_ARG_DIFF_DST, ddst},
                         {DNNL_ARG_DIFF_SRC, dsrc}});
    o.strm.wait();
    benchmark::DoNotOptimize(dx.data());
  }
  SetCounters(state, n, 12);
}
#endif

#ifdef MISH_BENCH_TORCH
void BM_Forward_F32_LibTorch(benchmark::State& state) {
  const int64_t n = state.range(0);
  at::set_num_threads(1);
  auto xv = Inputs(n, 1);
  const at::Tensor x = at::from_blob(xv.data(), {n}).clone();
  at::Tensor y = at::empty_like(x);
  for (auto _ : state) {
    at::mish_out(y, x);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  SetCounters(state, n, 8);
}

void BM_Backward_F32_LibTorch(benchmark::State& state) {
  const int64_t n = state.range(0);
  at::set_num_threads(1);
  auto xv = Inputs(n, 1), dyv = Inputs(n, 2);
  const at::Tensor x = at::from_blob(xv.data(), {n}).clone();
  const at::Tensor dy = at::from_blob(dyv.data(), {n}).clone();
  for (auto _ : state) {
    benchmark::DoNotOptimize(at::mish_backward(dy, x).data_ptr());
  }
  SetCounters(state, n, 12);
}
#endif

}  // namespace

BENCHMARK(BM_Forward_F32_Ours)->Arg(kInCache);
#ifdef MISH_BENCH_ONEDNN
BENCHMARK(BM_Forward_F32_OneDnn)->Arg(kInCache);
#endif
#ifdef MISH_BENCH_TORCH
BENCHMARK(BM_Forward_F32_LibTorch)->Arg(kInCache);
#endif
BENCHMARK(BM_Backward_F32_Ours)->Arg(kInCache);
#ifdef MISH_BENCH_ONEDNN
BENCHMARK(BM_Backward_F32_OneDnn)->Arg(kInCache);
#endif
#ifdef MISH_BENCH_TORCH
BENCHMARK(BM_Backward_F32_LibTorch)->Arg(kInCache);
#endif
BENCHMARK_TEMPLATE(BM_Forward_16_Ours, true)
    ->Name("BM_Forward_BF16_Ours")
    ->Arg(kInCache);
BENCHMARK_TEMPLATE(BM_Backward_16_Ours, true)
    ->Name("BM_Backward_BF16_Ours")
    ->Arg(kInCache);
BENCHMARK_TEMPLATE(BM_Forward_16_Ours, false)
    ->Name("BM_Forward_F16_Ours")
    ->Arg(kInCache);
BENCHMARK_TEMPLATE(BM_Backward_16_Ours, false)
    ->Name("BM_Backward_F16_Ours")
    ->Arg(kInCache);
BENCHMARK(BM_Memcpy_MT)
    ->Arg(kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Forward_F32_MT_Ours)
    ->Arg(kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Backward_F32_MT_Ours)
    ->Arg(kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
