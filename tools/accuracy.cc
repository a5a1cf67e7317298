// mish-accuracy: runs every finite and special float32 input through every
// kernel of every SIMD target this CPU runs and reports the worst error
// against the float64 reference (src/core/reference.h), with its input, and
// checks the accuracy contract (tests/core/contract.h).
//
//   mish-accuracy [--threads N] [--stride K] [--target NAME]
//     K > 1: every K-th pattern; NAME: only that target (e.g. SSE4)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/core/half.h"
#include "src/core/targets.h"
#include "tests/core/contract.h"

namespace {

using mish::contract::Report16;
using mish::contract::Report32;
using mish::detail::Kernels;

void CheckF32(const Kernels& k, const float* x, size_t n, float* y, float* g,
              const float* ones, Report32* rep) {
  k.forward_f32(x, y, n);
  k.backward_f32(x, ones, g, n);
  for (size_t i = 0; i < n; ++i) rep->Add(x[i], y[i], g[i]);
}

// The special inputs (and NaN) must give exactly the rounded reference.
int CheckSpecials(const Kernels& k) {
  std::vector<float> x = mish::contract::SpecialInputs();
  x.push_back(NAN);
  std::vector<float> y(x.size()), g(x.size()), ones(x.size(), 1.0f);
  k.forward_f32(x.data(), y.data(), x.size());
  k.backward_f32(x.data(), ones.data(), g.data(), x.size());
  int bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!mish::contract::SpecialOk(x[i], y[i], g[i])) {
      printf("  %-8s special x=%g: mish=%g mish'=%g  FAIL\n", k.target, x[i],
             y[i], g[i]);
      ++bad;
    }
  }
  return bad;
}

// Every 16-bit pattern through forward and backward (dy = 1).
int Check16(const mish::contract::Format16& f, const char* target,
            void (*fwd)(const uint16_t*, uint16_t*, size_t),
            void (*bwd)(const uint16_t*, const uint16_t*, uint16_t*, size_t)) {
  std::vector<uint16_t> x(65536), y(65536), g(65536), ones(65536);
  for (uint32_t i = 0; i < 65536; ++i) x[i] = static_cast<uint16_t>(i);
  std::fill(ones.begin(), ones.end(), f.round(1.0));
  fwd(x.data(), y.data(), x.size());
  bwd(x.data(), ones.data(), g.data(), x.size());
  Report16 rep(f);
  for (uint32_t i = 0; i < 65536; ++i) rep.Add(x[i], y[i], g[i]);
  printf(
      "  %-8s %-5s forward %d ulp, backward %d ulp outside [-2,0], %d ulp "
      "inside (worst beyond 1 ulp: %.3g abs)%s\n",
      target, f.name, rep.forward_steps, rep.backward_steps, rep.root_steps,
      std::max(0.0, rep.beyond.err), rep.Ok() ? "" : "  FAIL");
  return rep.Ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t stride = 1;
  const char* only = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = static_cast<unsigned>(std::max(1, atoi(argv[++i])));
    } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
      stride = std::max(1ll, atoll(argv[++i]));
    } else if (!strcmp(argv[i], "--target") && i + 1 < argc) {
      only = argv[++i];
    } else {
      fprintf(stderr, "usage: %s [--threads N] [--stride K] [--target NAME]\n",
              argv[0]);
      return 2;
    }
  }
  std::vector<Kernels> kernels = mish::detail::AvailableKernels();
  if (only != nullptr) {
    kernels.erase(std::remove_if(kernels.begin(), kernels.end(),
                                 [&](const Kernels& k) {
                                   return strcmp(k.target, only) != 0;
                                 }),
                  kernels.end());
    if (kernels.empty()) {
      fprintf(stderr, "target %s is not compiled or not supported here\n",
              only);
      return 2;
    }
  }
  printf("mish-accuracy: %zu targets, %u threads, every %llu-th float32\n",
         kernels.size(), threads, static_cast<unsigned long long>(stride));

  const auto start = std::chrono::steady_clock::now();
  constexpr uint64_t kChunk = 1 << 16;
  const uint64_t total = (uint64_t{1} << 32) / stride;
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  std::vector<Report32> reports(kernels.size());
  // A variant that shares an earlier target's float32 kernels (AVX3_NO_BF16)
  // reports that target's sweep instead of repeating it.
  std::vector<size_t> swept(kernels.size());
  for (size_t t = 0; t < kernels.size(); ++t) {
    swept[t] = t;
    for (size_t u = 0; u < t; ++u) {
      if (kernels[u].forward_f32 == kernels[t].forward_f32 &&
          kernels[u].backward_f32 == kernels[t].backward_f32) {
        swept[t] = u;
        break;
      }
    }
  }
  auto work = [&] {
    std::vector<float> x(kChunk), y(kChunk), g(kChunk), ones(kChunk, 1.0f);
    std::vector<Report32> local(kernels.size());
    for (uint64_t c; (c = next.fetch_add(kChunk)) < total;) {
      size_t n = 0;
      for (uint64_t i = c; i < std::min(total, c + kChunk); ++i) {
        const float xi =
            mish::half::BitsToFloat(static_cast<uint32_t>(i * stride));
        if (!std::isfinite(xi)) continue;
        x[n++] = xi;
      }
      for (size_t t = 0; t < kernels.size(); ++t) {
        if (swept[t] != t) continue;
        CheckF32(kernels[t], x.data(), n, y.data(), g.data(), ones.data(),
                 &local[t]);
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    for (size_t t = 0; t < kernels.size(); ++t) reports[t].Merge(local[t]);
  };
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back(work);
  for (auto& th : pool) th.join();

  int failures = 0;
  printf("float32 (dy = 1 for the backward):\n");
  for (size_t t = 0; t < kernels.size(); ++t) {
    const Report32& r = reports[swept[t]];
    const bool ok = r.Ok();
    printf(
        "  %-8s forward %.3f ulp at %.9g | backward %.3f ulp at %.9g, "
        "%.3g abs in [-2,0] at %.9g%s\n",
        kernels[t].target, r.forward.err, r.forward.at, r.backward_ulp.err,
        r.backward_ulp.at, r.backward_abs.err, r.backward_abs.at,
        ok ? "" : "  FAIL");
    failures += !ok;
    failures += CheckSpecials(kernels[t]);
  }
  printf("16-bit types (every bit pattern, vs the reference rounded once):\n");
  for (const Kernels& k : kernels) {
    failures += Check16(mish::contract::kBf16, k.target, k.forward_bf16,
                        k.backward_bf16);
    failures +=
        Check16(mish::contract::kF16, k.target, k.forward_f16, k.backward_f16);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  printf("%s in %.1f s\n", failures ? "FAILED" : "all bounds hold", secs);
  return failures ? 1 : 0;
}
