// libFuzzer target of the fused batch norm + Mish passes (mish.h's
// mish_bn_*) on every SIMD target. The input's first four bytes pick the
// shape (up to 3 images; up to 47 channels, or 256 to 303, past the
// channels-last tile; up to 127 pixels), the layout, the residual's kind,
// the storage type and a one-element offset; the rest are the values, each
// byte one in [-8, 8) (cycled). Each target is checked against the float64
// reference through tests/core/batch_norm_check.h.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "src/core/targets.h"
#include "tests/core/batch_norm_check.h"
#include "tests/core/contract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using mish::bn_check::Residual;
  static const std::vector<mish::detail::BnKernels> targets =
      mish::detail::AvailableBnKernels();
  if (size < 4) return 0;
  const uint8_t flags = data[3];
  const mish_bn_shape s{data[0] % 4u,
                        data[1] % 48u + ((data[2] & 0x80) ? 256u : 0u),
                        data[2] & 0x7Fu, flags & 1};
  const Residual mode = static_cast<Residual>((flags >> 1) % 3);
  const size_t type = (flags >> 3) % 3;
  const size_t offset = (flags >> 5) & 1;
  const mish::bn_check::Storage storage{
      type == 0 ? nullptr
                : (type == 1 ? &mish::contract::kBf16 : &mish::contract::kF16)};
  const uint8_t* values = data + 4;
  const size_t count = size - 4;
  size_t next = 0;
  mish::bn_check::Case k = mish::bn_check::MakeCase(s, mode, storage, [&] {
    if (count == 0) return 0.0f;
    const auto b = static_cast<int8_t>(values[next++ % count]);
    return static_cast<float>(b) / 16.0f;
  });
  for (const auto& target : targets) {
    k.fma = target.fused_multiply_add;
    const std::string failed =
        type == 0 ? mish::bn_check::Check(target.f32, k, offset)
                  : mish::bn_check::Check(type == 1 ? target.bf16 : target.f16,
                                          k, offset);
    if (!failed.empty()) {
      fprintf(stderr, "%s: %s\n", target.target, failed.c_str());
      abort();
    }
  }
  return 0;
}
