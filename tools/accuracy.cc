// mish-accuracy: runs every finite and special float32 input through every
// kernel of every SIMD target this CPU runs and reports the worst error
// against the float64 reference (src/core/reference.h), with its input.
//
//   mish-accuracy [--threads N] [--stride K]   (K > 1: every K-th pattern)
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
#include "src/core/reference.h"
#include "src/core/targets.h"
#include "src/core/ulp.h"

namespace {

using mish::detail::Kernels;

// Worst error seen and where; merged across threads.
struct Worst {
  double err = 0;
  float at = 0;
  void Add(double e, float x) {
    if (e > err) err = e, at = x;
  }
  void Merge(const Worst& o) { Add(o.err, o.at); }
};

// Per target: forward ULP; backward ULP outside [-2, 0], absolute inside
// (mish' has a root at -1.19, where no formula has a relative bound).
struct Report {
  Worst fwd, bwd_ulp, bwd_abs;
  void Merge(const Report& o) {
    fwd.Merge(o.fwd), bwd_ulp.Merge(o.bwd_ulp), bwd_abs.Merge(o.bwd_abs);
  }
};

void CheckF32(const Kernels& k, const float* x, const double* ref_y,
              const double* ref_g, size_t n, float* y, float* g,
              const float* ones, Report* rep) {
  k.forward_f32(x, y, n);
  k.backward_f32(x, ones, g, n);
  for (size_t i = 0; i < n; ++i) {
    rep->fwd.Add(mish::UlpError(y[i], ref_y[i]), x[i]);
    if (mish::InRootRegion(x[i])) {
      rep->bwd_abs.Add(std::fabs(static_cast<double>(g[i]) - ref_g[i]), x[i]);
    } else {
      rep->bwd_ulp.Add(mish::UlpError(g[i], ref_g[i]), x[i]);
    }
  }
}

// Special values must match exactly (sign of zero included).
int CheckSpecials(const Kernels& k) {
  const float inf = INFINITY;
  const float x[] = {inf, -inf, NAN, -0.0f, 0.0f};
  const float want_y[] = {inf, -0.0f, NAN, -0.0f, 0.0f};
  const float want_g[] = {1.0f, 0.0f, NAN, 0.6f, 0.6f};
  float y[5], g[5], ones[5] = {1, 1, 1, 1, 1};
  k.forward_f32(x, y, 5);
  k.backward_f32(x, ones, g, 5);
  int bad = 0;
  for (int i = 0; i < 5; ++i) {
    const bool ok_y = std::isnan(want_y[i])
                          ? std::isnan(y[i])
                          : (y[i] == want_y[i] &&
                             std::signbit(y[i]) == std::signbit(want_y[i]));
    const bool ok_g =
        std::isnan(want_g[i]) ? std::isnan(g[i]) : g[i] == want_g[i];
    if (!ok_y || !ok_g) {
      printf("  %-8s special x=%g: mish=%g (want %g) mish'=%g (want %g)\n",
             k.target, x[i], y[i], want_y[i], g[i], want_g[i]);
      ++bad;
    }
  }
  return bad;
}

// Every 16-bit pattern: the kernel must equal the float64 reference rounded
// once to the 16-bit type, within 1 unit of that type. On [-2, 0], near the
// root of mish', a result may also be off by more units where they are finer
// than the float32 bound: within 2^-22 plus one unit.
template <class ToFloat, class FromDouble>
void Check16(const char* type, const char* target,
             void (*fwd)(const uint16_t*, uint16_t*, size_t),
             void (*bwd)(const uint16_t*, const uint16_t*, uint16_t*, size_t),
             ToFloat to_float, FromDouble round16, int* failures) {
  std::vector<uint16_t> x(65536), y(65536), g(65536), ones(65536);
  for (uint32_t i = 0; i < 65536; ++i) x[i] = static_cast<uint16_t>(i);
  std::fill(ones.begin(), ones.end(), round16(1.0));
  fwd(x.data(), y.data(), x.size());
  bwd(x.data(), ones.data(), g.data(), x.size());
  int worst_y = 0, worst_g = 0, worst_root = 0, beyond = 0;
  for (uint32_t i = 0; i < 65536; ++i) {
    const float xf = to_float(x[i]);
    if (!std::isfinite(xf)) continue;
    worst_y = std::max(worst_y,
                       mish::half::Steps(y[i], round16(mish::ref::Mish(xf))));
    const uint16_t want_g = round16(mish::ref::MishGrad(xf));
    const int steps = mish::half::Steps(g[i], want_g);
    if (!mish::InRootRegion(xf)) {
      worst_g = std::max(worst_g, steps);
      continue;
    }
    worst_root = std::max(worst_root, steps);
    const double err = std::fabs(static_cast<double>(to_float(g[i])) -
                                 static_cast<double>(to_float(want_g)));
    const double unit = std::fabs(static_cast<double>(to_float(want_g))) /
                        (type[0] == 'b' ? 128.0 : 1024.0);
    beyond += steps > 1 && err > mish::kBackwardMaxAbs + unit;
  }
  const bool ok = worst_y <= 1 && worst_g <= 1 && beyond == 0;
  printf(
      "  %-8s %-5s forward %d ulp, backward %d ulp outside [-2,0], %d ulp "
      "inside (%d beyond 2^-22 + 1 ulp)%s\n",
      target, type, worst_y, worst_g, worst_root, beyond, ok ? "" : "  FAIL");
  if (!ok) ++*failures;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t stride = 1;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = static_cast<unsigned>(std::max(1, atoi(argv[++i])));
    } else if (!strcmp(argv[i], "--stride") && i + 1 < argc) {
      stride = std::max(1ll, atoll(argv[++i]));
    } else {
      fprintf(stderr, "usage: %s [--threads N] [--stride K]\n", argv[0]);
      return 2;
    }
  }
  const std::vector<Kernels> kernels = mish::detail::AvailableKernels();
  printf("mish-accuracy: %zu targets, %u threads, every %llu-th float32\n",
         kernels.size(), threads, static_cast<unsigned long long>(stride));

  const auto start = std::chrono::steady_clock::now();
  constexpr uint64_t kChunk = 1 << 16;
  const uint64_t total = (uint64_t{1} << 32) / stride;
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  std::vector<Report> reports(kernels.size());
  auto work = [&] {
    std::vector<float> x(kChunk), y(kChunk), g(kChunk), ones(kChunk, 1.0f);
    std::vector<double> ry(kChunk), rg(kChunk);
    std::vector<Report> local(kernels.size());
    for (uint64_t c; (c = next.fetch_add(kChunk)) < total;) {
      size_t n = 0;
      for (uint64_t i = c; i < std::min(total, c + kChunk); ++i) {
        const float xi =
            mish::half::BitsToFloat(static_cast<uint32_t>(i * stride));
        if (!std::isfinite(xi)) continue;
        x[n] = xi;
        ry[n] = mish::ref::Mish(xi);
        rg[n] = mish::ref::MishGrad(xi);
        ++n;
      }
      for (size_t t = 0; t < kernels.size(); ++t) {
        CheckF32(kernels[t], x.data(), ry.data(), rg.data(), n, y.data(),
                 g.data(), ones.data(), &local[t]);
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
    const Report& r = reports[t];
    const bool ok =
        r.fwd.err <= 4 && r.bwd_ulp.err <= 6 && r.bwd_abs.err <= 0x1p-22;
    printf(
        "  %-8s forward %.3f ulp at %.9g | backward %.3f ulp at %.9g, "
        "%.3g abs in [-2,0] at %.9g%s\n",
        kernels[t].target, r.fwd.err, r.fwd.at, r.bwd_ulp.err, r.bwd_ulp.at,
        r.bwd_abs.err, r.bwd_abs.at, ok ? "" : "  FAIL");
    failures += !ok;
    failures += CheckSpecials(kernels[t]);
  }
  printf("16-bit types (every bit pattern, vs the reference rounded once):\n");
  for (const Kernels& k : kernels) {
    Check16("bf16", k.target, k.forward_bf16, k.backward_bf16,
            mish::half::Bf16ToFloat, mish::half::DoubleToBf16, &failures);
    Check16("f16", k.target, k.forward_f16, k.backward_f16,
            mish::half::F16ToFloat, mish::half::DoubleToF16, &failures);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  printf("%s in %.1f s\n", failures ? "FAILED" : "all bounds hold", secs);
  return failures ? 1 : 0;
}
