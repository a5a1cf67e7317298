// The fused batch norm + Mish passes (mish.h's mish_bn_*) on every compiled
// SIMD target, in float32, bfloat16 and float16, against the float64
// reference of the same z (formed in float32 as the target forms it), with
// the bounds of contract.h: NCHW and channels-last, odd and empty shapes,
// unaligned arrays, residuals, special values, sums of parts, and arguments
// the functions must refuse without writing anything.
#include <gtest/gtest.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <vector>

#include "mish/mish.h"
#include "src/core/targets.h"
#include "tests/core/batch_norm_check.h"
#include "tests/core/contract.h"

namespace mish {
namespace detail {
void PrintTo(const BnKernels& k, std::ostream* os) { *os << k.target; }
}  // namespace detail

namespace {

using bn_check::Case;
using bn_check::RandomCase;
using bn_check::Residual;
using bn_check::Storage;
using detail::BnKernels;
using detail::BnPasses;

const mish_bn_shape kShapes[] = {
    {2, 3, 49, 0},
    {4, 16, 64, 0},
    {1, 7, 1, 0},
    {3, 5, 33, 0},
    {1, 1, 1, 0},
    {0, 4, 8, 0},
    {2, 0, 5, 0},
    {2, 7, 7, 0},
    {2, 3, 49, 1},
    {4, 16, 64, 1},
    {9, 37, 1, 1},
    {2, 70, 15, 1},
    {3, 7, 7, 1},
    {1, 300, 3, 1},
    {2, 0, 5, 1},
    // Planes and channels-last segments past a float32 partial sum's terms.
    {1, 3, 1100, 0},
    {1, 4, 5000, 1}};

std::vector<BnKernels> Targets() {
  static const std::vector<BnKernels> all = detail::AvailableBnKernels();
  return all;
}

TEST(BatchNormMish, EveryTargetMatchesReference) {
  const Storage types[] = {{nullptr}, {&contract::kBf16}, {&contract::kF16}};
  for (const mish_bn_shape& s : kShapes) {
    for (const Storage& type : types) {
      for (const Residual mode :
           {Residual::kNone, Residual::kPlain, Residual::kNormalized}) {
        Case k = RandomCase(s, mode, type);
        for (const BnKernels& kernels : Targets()) {
          SCOPED_TRACE(kernels.target);
          k.fma = kernels.fused_multiply_add;
          for (const size_t offset : {0, 1}) {
            ASSERT_EQ(type.format == nullptr
                          ? bn_check::Check(kernels.f32, k, offset)
                          : bn_check::Check(type.format == &contract::kBf16
                                                ? kernels.bf16
                                                : kernels.f16,
                                            k, offset),
                      "");
          }
        }
      }
    }
  }
}

// z = x exactly (scale 1, shift and residual -0): y = mish(x) and, through
// a plain residual, dresidual = dz = mish'(x), as the elementwise contract.
TEST(BatchNormMish, SpecialValues) {
  std::vector<float> x = contract::SpecialInputs();
  x.push_back(NAN);
  for (const int channels_last : {0, 1}) {
    const mish_bn_shape s{1, 1, x.size(), channels_last};
    const float one = 1.0f, minus_zero = -0.0f;
    mish_bn_channels ch{};
    ch.scale = ch.g_dz = &one;
    ch.shift = ch.mean = ch.g_xc = ch.g_0 = &minus_zero;
    const std::vector<float> r(x.size(), -0.0f), dy(x.size(), 1.0f);
    for (const BnKernels& kernels : Targets()) {
      std::vector<float> y(x.size()), dx(x.size()), dz(x.size());
      ASSERT_EQ(kernels.f32.forward(x.data(), r.data(), ch, y.data(), s), 0);
      ASSERT_EQ(kernels.f32.backward(dy.data(), x.data(), r.data(), ch,
                                     dx.data(), dz.data(), s),
                0);
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_TRUE(contract::SpecialOk(x[i], y[i], dz[i]))
            << kernels.target << ": x=" << x[i] << " y=" << y[i]
            << " dz=" << dz[i];
      }
    }
  }
}

TEST(BatchNormMish, InPlace) {
  const Case k = RandomCase({2, 5, 21, 0}, Residual::kPlain, {nullptr});
  const mish_bn_channels ch = k.Channels();
  for (const BnKernels& kernels : Targets()) {
    std::vector<float> y(k.total()), in_place = k.x;
    ASSERT_EQ(kernels.f32.forward(k.x.data(), k.r.data(), ch, y.data(), k.s),
              0);
    ASSERT_EQ(kernels.f32.forward(in_place.data(), k.r.data(), ch,
                                  in_place.data(), k.s),
              0);
    EXPECT_EQ(in_place, y) << kernels.target;
  }
}

// dresidual null: dx as with it, for a plain and a normalized residual.
TEST(BatchNormMish, ResidualGradientOptional) {
  for (const Residual mode : {Residual::kPlain, Residual::kNormalized}) {
    const Case k = RandomCase({2, 5, 21, 1}, mode, {nullptr});
    const mish_bn_channels ch = k.Channels();
    for (const BnKernels& kernels : Targets()) {
      std::vector<float> dx(k.total()), dr(k.total()), dx_alone(k.total());
      ASSERT_EQ(kernels.f32.backward(k.dy.data(), k.x.data(), k.r.data(), ch,
                                     dx.data(), dr.data(), k.s),
                0);
      ASSERT_EQ(kernels.f32.backward(k.dy.data(), k.x.data(), k.r.data(), ch,
                                     dx_alone.data(), nullptr, k.s),
                0);
      EXPECT_EQ(dx_alone, dx) << kernels.target;
    }
  }
}

// The split mish.h documents for threads: rows of channels-last, images
// and one image's channels of NCHW; the parts' sums add up to the whole's.
TEST(BatchNormMish, PartsAddUp) {
  for (const int channels_last : {0, 1}) {
    const Case k =
        RandomCase({3, 6, 10, channels_last}, Residual::kNone, {nullptr});
    const mish_bn_shape& s = k.s;
    std::vector<double> whole(s.c), whole_sq(s.c), parts(s.c), parts_sq(s.c);
    ASSERT_EQ(mish_bn_statistics_f32(k.x.data(), k.mean.data(), s, whole.data(),
                                     whole_sq.data()),
              0);
    const auto add = [&](const float* x, const float* mean, mish_bn_shape p,
                         size_t first_channel) {
      std::vector<double> sum(p.c), sum_sq(p.c);
      ASSERT_EQ(mish_bn_statistics_f32(x, mean, p, sum.data(), sum_sq.data()),
                0);
      for (size_t c = 0; c < p.c; ++c) {
        parts[first_channel + c] += sum[c];
        parts_sq[first_channel + c] += sum_sq[c];
      }
    };
    if (channels_last) {
      const size_t rows = s.n * s.hw, split = 7;
      add(k.x.data(), k.mean.data(), {1, s.c, split, 1}, 0);
      add(k.x.data() + split * s.c, k.mean.data(), {1, s.c, rows - split, 1},
          0);
    } else {
      add(k.x.data(), k.mean.data(), {2, s.c, s.hw, 0}, 0);
      const float* last = k.x.data() + 2 * s.c * s.hw;
      add(last, k.mean.data(), {1, 2, s.hw, 0}, 0);
      add(last + 2 * s.hw, k.mean.data() + 2, {1, s.c - 2, s.hw, 0}, 2);
    }
    for (size_t c = 0; c < s.c; ++c) {
      EXPECT_NEAR(parts[c], whole[c], 1e-9 * (1 + std::fabs(whole[c])));
      EXPECT_NEAR(parts_sq[c], whole_sq[c], 1e-9 * whole_sq[c]);
    }
  }
}

// Each refusal returns non-zero and leaves every output as it was.
TEST(BatchNormMish, RefusesBadArgumentsWritingNothing) {
  constexpr double kSentinel = 12345.0;
  std::vector<float> x(64, 1.0f), c(4, 1.0f), out(64, -7.0f);
  std::vector<double> sum(4, kSentinel);
  const auto untouched = [&] {
    return std::all_of(out.begin(), out.end(),
                       [](float v) { return v == -7.0f; }) &&
           std::all_of(sum.begin(), sum.end(),
                       [&](double v) { return v == kSentinel; });
  };
  const mish_bn_shape ok{2, 4, 8, 0};
  mish_bn_channels ch{};
  ch.scale = ch.shift = ch.mean = ch.g_dz = ch.g_xc = ch.g_0 = c.data();
  mish_bn_channels normalized = ch;
  normalized.r_scale = normalized.r_mean = normalized.r_g_dz =
      normalized.r_g_xc = c.data();  // r_g_0 missing
  mish_bn_channels plain_with_r_mean = ch;
  plain_with_r_mean.r_mean = c.data();
  mish_bn_channels no_g_xc = ch;
  no_g_xc.g_xc = nullptr;
  mish_bn_channels no_mean = ch;
  no_mean.mean = nullptr;
  const mish_bn_shape overflow{SIZE_MAX / 2, 4, 8, 0};
  const mish_bn_shape bytes_overflow{SIZE_MAX / 2, 1, 1, 1};
  const float* misaligned = reinterpret_cast<const float*>(
      reinterpret_cast<const char*>(x.data()) + 1);
  double* s = sum.data();
  float* o = out.data();
  const float* xp = x.data();
  for (const BnKernels& k : Targets()) {
    SCOPED_TRACE(k.target);
    const BnPasses<float>& f = k.f32;
    EXPECT_NE(f.statistics(xp, nullptr, ok, s, s), 0);
    EXPECT_NE(f.statistics(nullptr, c.data(), ok, s, s), 0);
    EXPECT_NE(f.statistics(xp, c.data(), ok, nullptr, s), 0);
    EXPECT_NE(f.statistics(misaligned, c.data(), ok, s, s), 0);
    EXPECT_NE(f.statistics(xp, c.data(), overflow, s, s), 0);
    EXPECT_NE(f.statistics(xp, c.data(), bytes_overflow, s, s), 0);
    mish_bn_channels no_scale = ch;
    no_scale.scale = nullptr;
    EXPECT_NE(f.forward(xp, nullptr, no_scale, o, ok), 0);
    EXPECT_NE(f.forward(xp, nullptr, ch, nullptr, ok), 0);
    EXPECT_NE(f.forward(xp, nullptr, normalized, o, ok), 0);  // no residual
    EXPECT_NE(f.forward(xp, xp, plain_with_r_mean, o, ok), 0);
    EXPECT_NE(f.forward(xp, nullptr, ch, o, overflow), 0);
    EXPECT_NE(f.backward_sums(xp, xp, nullptr, no_mean, ok, s, s, nullptr), 0);
    EXPECT_NE(f.backward_sums(nullptr, xp, nullptr, ch, ok, s, s, nullptr), 0);
    EXPECT_NE(f.backward_sums(xp, xp, xp, ch, ok, s, s, s), 0);  // plain
    EXPECT_NE(f.backward_sums(xp, xp, nullptr, normalized, ok, s, s, s), 0);
    EXPECT_NE(f.backward(xp, xp, nullptr, ch, o, o, ok), 0);
    EXPECT_NE(f.backward(xp, xp, nullptr, no_g_xc, o, nullptr, ok), 0);
    EXPECT_NE(f.backward(xp, xp, xp, normalized, o, o, ok), 0);
    EXPECT_TRUE(untouched());
    // Empty activations need no activation arrays.
    const mish_bn_shape empty{0, 4, 8, 1};
    EXPECT_EQ(f.forward(nullptr, nullptr, ch, nullptr, empty), 0);
    EXPECT_EQ(
        f.backward(nullptr, nullptr, nullptr, ch, nullptr, nullptr, empty), 0);
    EXPECT_EQ(f.statistics(nullptr, nullptr, {0, 0, 5, 0}, nullptr, nullptr),
              0);
    EXPECT_TRUE(untouched());
    // Sums of nothing are zero.
    EXPECT_EQ(f.statistics(nullptr, c.data(), empty, s, s), 0);
    EXPECT_EQ(sum[0], 0.0);
    std::fill(sum.begin(), sum.end(), kSentinel);
  }
  // The C ABI refuses as the targets do.
  EXPECT_NE(mish_bn_forward_f32(xp, nullptr, normalized, o, ok), 0);
  const uint16_t* half = reinterpret_cast<const uint16_t*>(xp);
  EXPECT_NE(mish_bn_statistics_bf16(half, nullptr, ok, s, s), 0);
  EXPECT_NE(mish_bn_backward_f16(half, half, half, ch, nullptr, nullptr, ok),
            0);
  EXPECT_TRUE(untouched());
}

}  // namespace
}  // namespace mish
