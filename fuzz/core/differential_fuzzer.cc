// libFuzzer differential target: arbitrary float32 bit patterns through every
// SIMD target, each checked against the float64 reference and its bounds,
// and all targets checked to agree on NaN, infinities and signed zeros.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmath>
#include <vector>

#include "src/core/reference.h"
#include "src/core/targets.h"
#include "src/core/ulp.h"

namespace {

void Fail(const char* what, const char* target, float x, float got) {
  fprintf(stderr, "%s: %s at x=%a gave %a\n", target, what, x, got);
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<mish::detail::Kernels> kernels =
      mish::detail::AvailableKernels();
  const size_t n = size / sizeof(float);
  // Odd lengths and a one-element offset exercise remainders and alignment.
  std::vector<float> x(n + 1), y(n + 1), g(n + 1), ones(n + 1, 1.0f);
  memcpy(x.data() + 1, data, n * sizeof(float));
  for (const auto& k : kernels) {
    k.forward_f32(x.data() + 1, y.data() + 1, n);
    k.backward_f32(x.data() + 1, ones.data() + 1, g.data() + 1, n);
    for (size_t i = 1; i <= n; ++i) {
      const float xi = x[i];
      const double want = mish::ref::Mish(xi), dwant = mish::ref::MishGrad(xi);
      if (std::isnan(xi)) {
        if (!std::isnan(y[i])) Fail("mish(NaN) not NaN", k.target, xi, y[i]);
        if (!std::isnan(g[i])) Fail("mish'(NaN) not NaN", k.target, xi, g[i]);
        continue;
      }
      if (std::isinf(want) || want == 0) {
        if (y[i] != want || std::signbit(y[i]) != std::signbit(want)) {
          Fail("special value", k.target, xi, y[i]);
        }
      } else if (mish::UlpError(y[i], want) > mish::kForwardMaxUlp) {
        Fail("forward bound", k.target, xi, y[i]);
      }
      const bool bad_grad =
          mish::InRootRegion(xi)
              ? std::fabs(g[i] - dwant) > mish::kBackwardMaxAbs
              : (dwant == 0
                     ? g[i] != 0
                     : mish::UlpError(g[i], dwant) > mish::kBackwardMaxUlp);
      if (bad_grad) Fail("backward bound", k.target, xi, g[i]);
    }
  }
  return 0;
}
