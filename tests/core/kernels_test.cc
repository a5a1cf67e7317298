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
#include "tests/core/contract.h"

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
  EXPECT_TRUE(contract::ForwardOk(x, y)) << "x=" << x << " y=" << y;
}

void ExpectBackward(float x, float dy, float dx) {
  EXPECT_TRUE(contract::BackwardOk(x, dy, dx))
      << "x=" << x << " dy=" << dy << " dx=" << dx;
}

TEST_P(KernelsTest, SpecialValues) {
  std::vector<float> x = contract::SpecialInputs();
  x.push_back(NAN);
  std::vector<float> y(x.size()), g(x.size()), ones(x.size(), 1.0f);
  k().forward_f32(x.data(), y.data(), x.size());
  k().backward_f32(x.data(), ones.data(), g.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(contract::SpecialOk(x[i], y[i], g[i]))
        << "x=" << x[i] << " mish=" << y[i] << " mish'=" << g[i];
  }
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
  contract::Report32 report;
  for (size_t i = 0; i < x.size(); ++i) report.Add(x[i], y[i], g[i]);
  EXPECT_TRUE(report.Ok()) << "forward " << report.forward.err << " ulp at "
                           << report.forward.at << ", backward "
                           << report.backward_ulp.err << " ulp at "
                           << report.backward_ulp.at << ", "
                           << report.backward_abs.err << " abs at "
                           << report.backward_abs.at;
}

void Expect16Bit(const contract::Format16& f,
                 void (*fwd)(const uint16_t*, uint16_t*, size_t),
                 void (*bwd)(const uint16_t*, const uint16_t*, uint16_t*,
                             size_t)) {
  std::vector<uint16_t> x(65536), y(65536), g(65536), ones(65536);
  for (uint32_t i = 0; i < 65536; ++i) x[i] = static_cast<uint16_t>(i);
  std::fill(ones.begin(), ones.end(), f.round(1.0));
  fwd(x.data(), y.data(), x.size());
  bwd(x.data(), ones.data(), g.data(), x.size());
  contract::Report16 report(f);
  for (uint32_t i = 0; i < 65536; ++i) report.Add(x[i], y[i], g[i]);
  EXPECT_TRUE(report.Ok()) << f.name << ": " << report.failures
                           << " inputs out of bounds, first x="
                           << report.first_failure;
  // dy of every pattern: NaN (and inf * 0 at x = -inf) gives NaN, nothing
  // else does.
  for (const double xv : {1.0, -HUGE_VAL}) {
    std::fill(ones.begin(), ones.end(), f.round(xv));
    bwd(ones.data(), x.data(), g.data(), x.size());
    for (uint32_t i = 0; i < 65536; ++i) {
      const float dy = f.to_float(x[i]);
      const bool want_nan =
          std::isnan(dy) || (std::isinf(xv) && std::isinf(dy));
      ASSERT_EQ(std::isnan(f.to_float(g[i])), want_nan)
          << f.name << " x=" << xv << " dy=" << dy;
    }
  }
}

TEST_P(KernelsTest, EveryBfloat16) {
  Expect16Bit(contract::kBf16, k().forward_bf16, k().backward_bf16);
}

TEST_P(KernelsTest, EveryFloat16) {
  Expect16Bit(contract::kF16, k().forward_f16, k().backward_f16);
}

// Every size up to several vector widths, in place and not, with guards
// after the end that must stay untouched.
TEST_P(KernelsTest, SixteenBitOddSizesAndGuards) {
  for (const contract::Format16* f : {&contract::kBf16, &contract::kF16}) {
    const bool bf16 = f == &contract::kBf16;
    const auto fwd = bf16 ? k().forward_bf16 : k().forward_f16;
    const auto bwd = bf16 ? k().backward_bf16 : k().backward_f16;
    for (size_t n = 0; n <= 4 * 64 + 7; ++n) {
      std::vector<uint16_t> x(n + 3), dy(n + 3), y(n + 3, 0xABCD);
      for (size_t i = 0; i < x.size(); ++i) {
        x[i] = f->round(-8.0 + 0.0625 * static_cast<double>(i));
        dy[i] = f->round(0.5 + 0.01 * static_cast<double>(i));
      }
      fwd(x.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_LE(contract::Steps16(*f, y[i], ref::Mish(f->to_float(x[i]))),
                  contract::kMaxSteps16)
            << f->name << " n=" << n;
      }
      for (size_t i = n; i < y.size(); ++i) ASSERT_EQ(y[i], 0xABCD);
      std::vector<uint16_t> dx = dy;
      bwd(x.data(), dy.data(), y.data(), n);
      bwd(x.data(), dx.data(), dx.data(), n);  // in place
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(dx[i], y[i]) << f->name;
      for (size_t i = n; i < y.size(); ++i) ASSERT_EQ(y[i], 0xABCD);
    }
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
