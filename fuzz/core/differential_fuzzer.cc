// libFuzzer differential target: arbitrary float32 bit patterns through every
// SIMD target, each checked against the accuracy contract (special values
// exactly, everything else within its bound), with a one-element offset and
// odd lengths to exercise remainders and alignment.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "src/core/targets.h"
#include "tests/core/contract.h"

namespace {

void Fail(const char* what, const char* target, float x, float got) {
  fprintf(stderr, "%s: %s at x=%a gave %a\n", target, what, x, got);
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<mish::detail::Kernels> kernels =
      mish::detail::AvailableKernels();
  static const std::vector<float> specials = mish::contract::SpecialInputs();
  const size_t n = size / sizeof(float);
  std::vector<float> x(n + 1), y(n + 1), g(n + 1), ones(n + 1, 1.0f);
  memcpy(x.data() + 1, data, n * sizeof(float));
  for (const auto& k : kernels) {
    k.forward_f32(x.data() + 1, y.data() + 1, n);
    k.backward_f32(x.data() + 1, ones.data() + 1, g.data() + 1, n);
    for (size_t i = 1; i <= n; ++i) {
      const float xi = x[i];
      const bool special =
          std::isnan(xi) ||
          std::find(specials.begin(), specials.end(), xi) != specials.end();
      if (special && !mish::contract::SpecialOk(xi, y[i], g[i])) {
        Fail("special value", k.target, xi, y[i]);
      }
      if (!mish::contract::ForwardOk(xi, y[i])) {
        Fail("forward bound", k.target, xi, y[i]);
      }
      if (!mish::contract::BackwardOk(xi, 1.0f, g[i])) {
        Fail("backward bound", k.target, xi, g[i]);
      }
    }
  }
  return 0;
}
