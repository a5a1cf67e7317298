// Every compiled SIMD target this CPU runs, against the float64 reference:
// special values, sizes, alignment, aliasing, bounds, a sweep of the whole
// float32 range and every 16-bit pattern.
#include <gtest/gtest.h>
#include <stdint.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mish/mish.h"
#include "src/core/half.h"
#include "src/core/reference.h"
#include "src/core/targets.h"
#include "src/core/ulp.h"

namespace mish {
namespace {

using detail::Kernels;

}  // namespace

namespace detail {
// Names the target in test output instead of dumping the struct's bytes.
void PrintTo(const Kernels& k, std::ostream* os) { *os << k.target; }
}  // namespace detail

namespace {

class KernelsTest : public testing::TestWithParam<Kernels> {
 protected:
  const Kernels& k() const { return GetParam(); }
};

// Checks one float32 input/output pair against the accuracy contract.
void ExpectForward(float x, float y) {
  if (std::isnan(x)) {
    EXPECT_TRUE(std::isnan(y)) << "mish(NaN) = " << y;
    return;
  }
  EXPECT_LE(UlpError(y, ref::Mish(x)), kForwardMaxUlp)
      << "x=" << x << " y=" << y;
}

void ExpectBackward(float x, float dy, float dx) {
  if (std::isnan(x) || std::isnan(dy)) {
    EXPECT_TRUE(std::isnan(dx));
    return;
  }
  const double g = ref::MishGrad(x);
  if (InRootRegion(x)) {
    EXPECT_LE(std::fabs(dx / static_cast<double>(dy) - g), kBackwardMaxAbs)
        << "x=" << x;
  } else {
    // dy * g rounds once more than g alone.
    EXPECT_LE(UlpError(dx, g * dy), kBackwardMaxUlp + 0.5) << "x=" << x;
  }
}

TEST_P(KernelsTest, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float x[] = {inf, -inf, NAN, -0.0f, 0.0f, 20.0f, 1e30f, -1e30f};
  float y[8], g[8];
  const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  k().forward_f32(x, y, 8);
  k().backward_f32(x, ones, g, 8);
  EXPECT_EQ(y[0], inf);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_TRUE(std::signbit(y[1])) << "mish(-inf) must be -0";
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_TRUE(std::signbit(y[3])) << "mish(-0) must be -0";
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_FALSE(std::signbit(y[4]));
  EXPECT_EQ(y[5], 20.0f);
  EXPECT_EQ(y[6], 1e30f);
  EXPECT_EQ(y[7], 0.0f);
  EXPECT_EQ(g[0], 1.0f);
  EXPECT_EQ(g[1], 0.0f);
  EXPECT_TRUE(std::isnan(g[2]));
  EXPECT_EQ(g[3], 0.6f);
  EXPECT_EQ(g[4], 0.6f);
  EXPECT_EQ(g[6], 1.0f);
  EXPECT_EQ(g[7], 0.0f);
}

// The tail where e^x is subnormal but mish(x) is not (PyTorch: 52 ulp).
TEST_P(KernelsTest, SubnormalExpTail) {
  std::vector<float> x(2560);  // -110 to -80 in steps of 3/256
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = -110.0f + 0.01171875f * static_cast<float>(i);
  }
  std::vector<float> y(x.size()), g(x.size()), ones(x.size(), 1.0f);
  k().forward_f32(x.data(), y.data(), x.size());
  k().backward_f32(x.data(), ones.data(), g.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    ExpectForward(x[i], y[i]);
    ExpectBackward(x[i], 1.0f, g[i]);
  }
}

TEST_P(KernelsTest, SubnormalInputs) {
  const float x[] = {1e-45f, -1e-45f, 1e-40f, -1e-40f, 1.1754942e-38f};
  float y[5], g[5];
  const float ones[5] = {1, 1, 1, 1, 1};
  k().forward_f32(x, y, 5);
  k().backward_f32(x, ones, g, 5);
  for (int i = 0; i < 5; ++i) {
    ExpectForward(x[i], y[i]);
    EXPECT_EQ(g[i], 0.6f) << x[i];
  }
}

// Every size up to several vector widths, unaligned by one element, with
// guards after the end that must stay untouched.
TEST_P(KernelsTest, SizesAlignmentAndBounds) {
  constexpr float kGuard = 12345.0f;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
  for (size_t n = 0; n <= 4 * 64 + 7; ++n) {
    for (size_t offset : {0, 1}) {
      std::vector<float> x(n + offset + 4), dy(x.size()), out(x.size(), kGuard);
      for (float& v : x) v = dist(rng);
      for (float& v : dy) v = dist(rng);
      k().forward_f32(x.data() + offset, out.data() + offset, n);
      for (size_t i = 0; i < n; ++i) {
        ExpectForward(x[offset + i], out[offset + i]);
      }
      for (size_t i = n + offset; i < out.size(); ++i) {
        ASSERT_EQ(out[i], kGuard) << "write past the end, n=" << n;
      }
      if (offset) {
        ASSERT_EQ(out[0], kGuard) << "write before the start";
      }
      std::fill(out.begin(), out.end(), kGuard);
      k().backward_f32(x.data() + offset, dy.data() + offset,
                       out.data() + offset, n);
      for (size_t i = 0; i < n; ++i) {
        ExpectBackward(x[offset + i], dy[offset + i], out[offset + i]);
      }
      for (size_t i = n + offset; i < out.size(); ++i) {
        ASSERT_EQ(out[i], kGuard) << "write past the end, n=" << n;
      }
    }
  }
}

TEST_P(KernelsTest, InPlace) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = -25.0f + 0.05f * static_cast<float>(i);
  std::vector<float> y(x.size()), buf = x;
  k().forward_f32(x.data(), y.data(), x.size());
  k().forward_f32(buf.data(), buf.data(), buf.size());
  EXPECT_EQ(buf, y);
  std::vector<float> dy(x.size(), 0.5f), dx(x.size());
  k().backward_f32(x.data(), dy.data(), dx.data(), x.size());
  k().backward_f32(x.data(), dy.data(), dy.data(), dy.size());
  EXPECT_EQ(dy, dx);
}

// Every 4099th bit pattern (~1M inputs) covers all exponents and signs.
TEST_P(KernelsTest, StridedSweepOfAllFloats) {
  constexpr uint64_t kStride = 4099;
  std::vector<float> x(((uint64_t{1} << 32) + kStride - 1) / kStride);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = half::BitsToFloat(static_cast<uint32_t>(i * kStride));
  }
  std::vector<float> y(x.size()), g(x.size()), ones(x.size(), 1.0f);
  k().forward_f32(x.data(), y.data(), x.size());
  k().backward_f32(x.data(), ones.data(), g.data(), x.size());
  double worst_fwd = 0, worst_bwd = 0, worst_abs = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) continue;
    worst_fwd = std::max(worst_fwd, UlpError(y[i], ref::Mish(x[i])));
    const double rg = ref::MishGrad(x[i]);
    if (InRootRegion(x[i])) {
      worst_abs = std::max(worst_abs, std::fabs(g[i] - rg));
    } else {
      worst_bwd = std::max(worst_bwd, UlpError(g[i], rg));
    }
  }
  EXPECT_LE(worst_fwd, kForwardMaxUlp);
  EXPECT_LE(worst_bwd, kBackwardMaxUlp);
  EXPECT_LE(worst_abs, kBackwardMaxAbs);
}

void Expect16Bit(const char* type,
                 void (*fwd)(const uint16_t*, uint16_t*, size_t),
                 void (*bwd)(const uint16_t*, const uint16_t*, uint16_t*,
                             size_t),
                 float (*to_float)(uint16_t), uint16_t (*round16)(double)) {
  std::vector<uint16_t> x(65536), y(65536), g(65536), ones(65536);
  for (uint32_t i = 0; i < 65536; ++i) x[i] = static_cast<uint16_t>(i);
  std::fill(ones.begin(), ones.end(), round16(1.0));
  fwd(x.data(), y.data(), x.size());
  bwd(x.data(), ones.data(), g.data(), x.size());
  for (uint32_t i = 0; i < 65536; ++i) {
    const float xf = to_float(x[i]);
    if (std::isnan(xf)) {
      EXPECT_TRUE(std::isnan(to_float(y[i]))) << type;
      EXPECT_TRUE(std::isnan(to_float(g[i]))) << type;
      continue;
    }
    ASSERT_LE(half::Steps(y[i], round16(ref::Mish(xf))), 1)
        << type << " forward x=" << xf;
    const double rg = ref::MishGrad(xf);
    if (InRootRegion(xf)) {
      // The float32 bound plus one 16-bit step (at most 2^-7 relative).
      ASSERT_LE(std::fabs(to_float(g[i]) - to_float(round16(rg))),
                kBackwardMaxAbs + std::fabs(to_float(round16(rg))) * 0x1p-7)
          << type << " backward x=" << xf;
    } else {
      ASSERT_LE(half::Steps(g[i], round16(rg)), 1)
          << type << " backward x=" << xf;
    }
  }
}

TEST_P(KernelsTest, EveryBfloat16) {
  Expect16Bit("bf16", k().forward_bf16, k().backward_bf16, half::Bf16ToFloat,
              half::DoubleToBf16);
}

TEST_P(KernelsTest, EveryFloat16) {
  Expect16Bit("f16", k().forward_f16, k().backward_f16, half::F16ToFloat,
              half::DoubleToF16);
}

TEST_P(KernelsTest, SixteenBitOddSizesAndGuards) {
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<uint16_t> x(n + 3), y(n + 3, 0xABCD);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = half::DoubleToBf16(-8.0 + 0.25 * static_cast<double>(i));
    }
    k().forward_bf16(x.data(), y.data(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_LE(half::Steps(y[i], half::DoubleToBf16(
                                      ref::Mish(half::Bf16ToFloat(x[i])))),
                1);
    }
    for (size_t i = n; i < y.size(); ++i) ASSERT_EQ(y[i], 0xABCD);
  }
}

std::string TargetName(const testing::TestParamInfo<Kernels>& param) {
  return param.param.target;
}

INSTANTIATE_TEST_SUITE_P(AllTargets, KernelsTest,
                         testing::ValuesIn(detail::AvailableKernels()),
                         TargetName);

TEST(Dispatch, ChoosesTheBestTarget) {
  const auto kernels = detail::AvailableKernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_STREQ(mish_cpu_target(), kernels.front().target);
}

}  // namespace
}  // namespace mish
