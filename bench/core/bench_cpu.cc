// mish-bench-cpu: the CPU kernels of one SIMD target against their peers, in
// one process, interleaved so that a noisy machine slows every contender
// alike. Each round times every kernel once, in an order that rotates from
// round to round; a repetition reports the medians of its rounds and their
// ratios; the run repeats that and shows the spread (min / median / max).
//
//   mish-bench-cpu [--target AVX3|AVX3_NO_BF16|AVX2|SSE4|...] [--rounds R]
//                  [--repeat K] [--n N] [--mt]
//
// The peers are held to the same instruction set as our target: oneDNN by
// dnnl::set_max_cpu_isa, LibTorch by ATEN_CPU_CAPABILITY. --mt adds the
// multi-threaded kernels on 2^26 elements against memcpy of the same bytes.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mish/mish.h"
#include "src/core/half.h"
#include "src/core/targets.h"

#ifdef MISH_BENCH_ONEDNN
#include "onednn_peer.h"
#endif
#ifdef MISH_BENCH_TORCH
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#endif

namespace {

using mish::detail::Kernels;

// Activations as a network produces them: mostly within [-6, 6].
std::vector<float> Inputs(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

std::vector<uint16_t> To16(const std::vector<float>& v,
                           uint16_t (*round16)(double)) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = round16(v[i]);
  return out;
}

// One contender: a call over all n elements.
struct Case {
  Case(std::string n, std::function<void()> r, int c = 4)
      : name(std::move(n)), run(std::move(r)), calls(c) {}
  std::string name;
  std::function<void()> run;
  int calls;  // per timing, to rise well above the clock's resolution
  std::vector<double> rates;  // elements per second, one per round
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Times every case once per round, rotating the order; returns the medians.
std::vector<double> Interleave(std::vector<Case>& cases, size_t n, int rounds) {
  for (Case& c : cases) {
    c.run();  // warm caches and lazy initialisation
    c.rates.clear();
  }
  for (int r = 0; r < rounds; ++r) {
    for (size_t j = 0; j < cases.size(); ++j) {
      Case& c = cases[(j + static_cast<size_t>(r)) % cases.size()];
      const auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < c.calls; ++k) c.run();
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
      c.rates.push_back(static_cast<double>(n) * c.calls / s);
    }
  }
  std::vector<double> medians;
  for (const Case& c : cases) medians.push_back(Median(c.rates));
  return medians;
}

const Kernels* FindTarget(const std::vector<Kernels>& all, const char* name) {
  for (const Kernels& k : all) {
    if (name == nullptr || !strcmp(k.target, name)) return &k;
  }
  return nullptr;
}

#ifdef MISH_BENCH_TORCH
// AVX-512 with or without our AVX-512 BF16 path: the peers' ISA is the same.
bool IsAvx3(const char* target) {
  return !strcmp(target, "AVX3") || !strcmp(target, "AVX3_NO_BF16");
}
#endif

#ifdef MISH_BENCH_TORCH
// LibTorch's kernel level matching a Highway target (read at its first use).
void LimitLibTorch(const char* target) {
  const char* level = IsAvx3(target)            ? "avx512"
                      : !strcmp(target, "AVX2") ? "avx2"
                                                : "default";
  setenv("ATEN_CPU_CAPABILITY", level, 1);
}
#endif

// Min / median / max of one column over the repetitions.
void PrintSpread(const char* what, const std::vector<double>& v) {
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  printf("| %s | %.2fx | %.2fx | %.2fx |\n", what, s.front(), Median(s),
         s.back());
}

// The _mt kernels on 2^26 elements against memcpy of the same bytes split
// over the same threads: bytes read plus written per second.
void BenchMultiThreaded(int rounds) {
  const size_t n = size_t{1} << 26;
  auto x = Inputs(n, 1), dy = Inputs(n, 2);
  std::vector<float> y(n), dx(n);
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Case> cases = {
      {"memcpy",
       [&] {
         const size_t chunk = (n + threads - 1) / threads;
         std::vector<std::thread> pool;
         for (size_t b = chunk; b < n; b += chunk) {
           pool.emplace_back([&, b] {
             memcpy(y.data() + b, x.data() + b,
                    std::min(chunk, n - b) * sizeof(float));
           });
         }
         memcpy(y.data(), x.data(), std::min(chunk, n) * sizeof(float));
         for (auto& t : pool) t.join();
       },
       1},
      {"forward_f32_mt", [&] { mish_forward_f32_mt(x.data(), y.data(), n, 0); },
       1},
      {"backward_f32_mt",
       [&] { mish_backward_f32_mt(x.data(), dy.data(), dx.data(), n, 0); }, 1},
  };
  const std::vector<double> m = Interleave(cases, n, rounds);
  const double bytes[] = {8, 8, 12};
  printf("\nAll %zu threads, 2^26 float32, medians of %d rounds:\n\n", threads,
         rounds);
  printf("| kernel | GB/s | share of memcpy |\n|---|---|---|\n");
  for (size_t i = 0; i < cases.size(); ++i) {
    printf("| %s | %.2f | %.0f %% |\n", cases[i].name.c_str(),
           m[i] * bytes[i] / 1e9, 100.0 * m[i] * bytes[i] / (m[0] * 8));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* target = nullptr;
  int rounds = 501, repeat = 5;
  size_t n = 65536;
  bool mt = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!strcmp(argv[i], "--target") && has_value) {
      target = argv[++i];
    } else if (!strcmp(argv[i], "--rounds") && has_value) {
      rounds = std::max(1, atoi(argv[++i]));
    } else if (!strcmp(argv[i], "--repeat") && has_value) {
      repeat = std::max(1, atoi(argv[++i]));
    } else if (!strcmp(argv[i], "--n") && has_value) {
      n = static_cast<size_t>(std::max(1ll, atoll(argv[++i])));
    } else if (!strcmp(argv[i], "--mt")) {
      mt = true;
    } else {
      fprintf(stderr,
              "usage: %s [--target NAME] [--rounds R] [--repeat K] [--n N] "
              "[--mt]\n",
              argv[0]);
      return 2;
    }
  }
  const std::vector<Kernels> all = mish::detail::AvailableKernels();
  const Kernels* k = FindTarget(all, target);
  if (k == nullptr) {
    fprintf(stderr,
            "target %s is not compiled or not supported here; have:", target);
    for (const Kernels& a : all) fprintf(stderr, " %s", a.target);
    fprintf(stderr, "\n");
    return 2;
  }

  auto x = Inputs(n, 1), dy = Inputs(n, 2);
  std::vector<float> y(n), dx(n);
  const auto xb = To16(x, mish::half::DoubleToBf16);
  const auto dyb = To16(dy, mish::half::DoubleToBf16);
  const auto xh = To16(x, mish::half::DoubleToF16);
  const auto dyh = To16(dy, mish::half::DoubleToF16);
  std::vector<uint16_t> y16(n), dx16(n);

  // Column order: the f32 kernels, then the peers, then the 16-bit kernels.
  std::vector<Case> cases = {
      {"forward f32", [&] { k->forward_f32(x.data(), y.data(), n); }},
      {"backward f32",
       [&] { k->backward_f32(x.data(), dy.data(), dx.data(), n); }},
      {"forward bf16", [&] { k->forward_bf16(xb.data(), y16.data(), n); }},
      {"backward bf16",
       [&] { k->backward_bf16(xb.data(), dyb.data(), dx16.data(), n); }},
      {"forward f16", [&] { k->forward_f16(xh.data(), y16.data(), n); }},
      {"backward f16",
       [&] { k->backward_f16(xh.data(), dyh.data(), dx16.data(), n); }},
  };
  std::string peers;
#ifdef MISH_BENCH_ONEDNN
  const bool dnnl_limited = mish::bench::LimitOneDnn(k->target);
  mish::bench::OneDnnMish dnnl(x.data(), y.data(), dy.data(), dx.data(), n);
  cases.push_back({"forward oneDNN", [&] { dnnl.Forward(); }});
  cases.push_back({"backward oneDNN", [&] { dnnl.Backward(); }});
  peers += " oneDNN " + mish::bench::OneDnnVersion() +
           (dnnl_limited ? " (capped to the same ISA)" : "");
#endif
#ifdef MISH_BENCH_TORCH
  LimitLibTorch(k->target);
  at::set_num_threads(1);
  const at::Tensor tx = at::from_blob(x.data(), {static_cast<int64_t>(n)});
  const at::Tensor tdy = at::from_blob(dy.data(), {static_cast<int64_t>(n)});
  at::Tensor ty = at::empty_like(tx);
  cases.push_back({"forward LibTorch", [&] { at::mish_out(ty, tx); }, 1});
  cases.push_back(
      {"backward LibTorch", [&] { (void)at::mish_backward(tdy, tx); }, 1});
  peers += std::string(" LibTorch (") + getenv("ATEN_CPU_CAPABILITY") + ")";
#endif

  printf(
      "mish-bench-cpu: target %s, one thread, %zu elements, %d repetitions "
      "of %d interleaved rounds; peers:%s\n\n",
      k->target, n, repeat, rounds, peers.empty() ? " none" : peers.c_str());
  printf("| rep |");
  for (const Case& c : cases) printf(" %s |", c.name.c_str());
  printf("\n|---|");
  for (size_t i = 0; i < cases.size(); ++i) printf("---|");
  printf("\n");

  // Ratios per repetition, in the order of `ratio_names`.
  std::vector<std::string> ratio_names = {
      "bf16 / f32 forward", "bf16 / f32 backward", "f16 / f32 forward",
      "f16 / f32 backward"};
  std::vector<std::pair<size_t, size_t>> ratio_of = {
      {2, 0}, {3, 1}, {4, 0}, {5, 1}};
  for (size_t p = 6; p + 1 < cases.size(); p += 2) {
    const std::string peer = cases[p].name.substr(cases[p].name.find(' ') + 1);
    ratio_names.push_back("forward f32 / " + peer);
    ratio_names.push_back("backward f32 / " + peer);
    ratio_of.push_back({0, p});
    ratio_of.push_back({1, p + 1});
  }
  std::vector<std::vector<double>> ratios(ratio_of.size());
  for (int rep = 1; rep <= repeat; ++rep) {
    const std::vector<double> m = Interleave(cases, n, rounds);
    printf("| %d |", rep);
    for (double v : m) printf(" %.3f G/s |", v / 1e9);
    printf("\n");
    fflush(stdout);
    for (size_t r = 0; r < ratio_of.size(); ++r) {
      ratios[r].push_back(m[ratio_of[r].first] / m[ratio_of[r].second]);
    }
  }
  printf(
      "\n| ratio (per repetition) | min | median | max |\n|---|---|---|---|\n");
  for (size_t r = 0; r < ratios.size(); ++r) {
    PrintSpread(ratio_names[r].c_str(), ratios[r]);
  }
  if (mt) BenchMultiThreaded(std::max(3, rounds / 50));
  return 0;
}
