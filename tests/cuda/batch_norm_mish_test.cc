// The fused batch norm + Mish passes (float32) against the same arithmetic
// on the host: z = fma(x, scale, shift) + r (or fma(r, r_scale, .) for a
// normalized residual) in float32, Mish and its
// derivative exact (float64), sums in float64; NCHW and channels-last, odd
// shapes, unaligned arrays, and arguments the functions must refuse.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "mish/mish.h"
#include "mish/mish_cuda.h"
#include "tests/cuda/api.h"
#include "tests/cuda/device.h"

namespace mish::test {
namespace {

class CudaBatchNormMish : public GpuTest {};

struct Host {
  std::vector<float> x, r, dy, scale, shift, mean, g_dz, g_xc, g_0, r_scale,
      r_mean, r_g_dz, r_g_xc, r_g_0;
};

enum class Residual { kNone, kPlain, kNormalized };

const char* NameOf(Residual residual) {
  switch (residual) {
    case Residual::kNone:
      return "";
    case Residual::kPlain:
      return " residual";
    case Residual::kNormalized:
      return " normalized residual";
  }
  return "?";
}

size_t ChannelOf(size_t i, const mish_bn_shape& s) {
  return s.channels_last ? i % s.c : (i / s.hw) % s.c;
}

void Check(const mish_bn_shape& s, size_t offset, Residual mode) {
  SCOPED_TRACE(::testing::Message()
               << s.n << "x" << s.c << "x" << s.hw
               << (s.channels_last ? " channels-last" : " NCHW") << " offset "
               << offset << NameOf(mode));
  const bool residual = mode != Residual::kNone;
  const bool normalized = mode == Residual::kNormalized;
  const size_t n = s.n * s.c * s.hw;
  std::mt19937 rng(static_cast<uint32_t>(n * 7 + offset));
  std::normal_distribution<float> normal(0.0f, 2.0f);
  Host h;
  for (auto* v : {&h.x, &h.r, &h.dy}) {
    v->resize(n);
    for (float& e : *v) e = normal(rng);
  }
  for (auto* v : {&h.scale, &h.shift, &h.mean, &h.g_dz, &h.g_xc, &h.g_0,
                  &h.r_scale, &h.r_mean, &h.r_g_dz, &h.r_g_xc, &h.r_g_0}) {
    v->resize(s.c);
    for (float& e : *v) e = normal(rng) * 0.5f;
  }
  DeviceArray<float> x(n, offset), r(n, offset), dy(n, offset), y(n, offset),
      dx(n, offset), dr(n, offset);
  DeviceArray<float> scale(s.c), shift(s.c), mean(s.c), g_dz(s.c), g_xc(s.c),
      g_0(s.c), r_scale(s.c), r_mean(s.c), r_g_dz(s.c), r_g_xc(s.c), r_g_0(s.c);
  DeviceArray<double> sum_a(s.c), sum_b(s.c), sum_c(s.c);
  ASSERT_TRUE(x.ok() && r.ok() && dy.ok() && y.ok() && dx.ok() && dr.ok() &&
              scale.ok() && shift.ok() && mean.ok() && g_dz.ok() && g_xc.ok() &&
              g_0.ok() && r_scale.ok() && r_mean.ok() && r_g_dz.ok() &&
              r_g_xc.ok() && r_g_0.ok() && sum_a.ok() && sum_b.ok() &&
              sum_c.ok());
  MISH_CUDA_OK(x.Upload(h.x.data()));
  MISH_CUDA_OK(r.Upload(h.r.data()));
  MISH_CUDA_OK(dy.Upload(h.dy.data()));
  MISH_CUDA_OK(scale.Upload(h.scale.data()));
  MISH_CUDA_OK(shift.Upload(h.shift.data()));
  MISH_CUDA_OK(mean.Upload(h.mean.data()));
  MISH_CUDA_OK(g_dz.Upload(h.g_dz.data()));
  MISH_CUDA_OK(g_xc.Upload(h.g_xc.data()));
  MISH_CUDA_OK(g_0.Upload(h.g_0.data()));
  MISH_CUDA_OK(r_scale.Upload(h.r_scale.data()));
  MISH_CUDA_OK(r_mean.Upload(h.r_mean.data()));
  MISH_CUDA_OK(r_g_dz.Upload(h.r_g_dz.data()));
  MISH_CUDA_OK(r_g_xc.Upload(h.r_g_xc.data()));
  MISH_CUDA_OK(r_g_0.Upload(h.r_g_0.data()));
  mish_bn_channels ch{};
  ch.scale = scale.data();
  ch.shift = shift.data();
  ch.mean = mean.data();
  ch.g_dz = g_dz.data();
  ch.g_xc = g_xc.data();
  ch.g_0 = g_0.data();
  if (normalized) {
    ch.r_scale = r_scale.data();
    ch.r_mean = r_mean.data();
    ch.r_g_dz = r_g_dz.data();
    ch.r_g_xc = r_g_xc.data();
    ch.r_g_0 = r_g_0.data();
  }
  const float* rp = residual ? r.data() : nullptr;

  const auto z_of = [&](size_t i) {
    const size_t c = ChannelOf(i, s);
    const float z = std::fma(h.x[i], h.scale[c], h.shift[c]);
    if (normalized) return std::fma(h.r[i], h.r_scale[c], z);
    return z + (residual ? h.r[i] : 0.0f);
  };
  // |sum| within 1e-5 of the sum of |terms|.
  const auto expect_sums = [&](DeviceArray<double>& got_a,
                               DeviceArray<double>& got_b, auto terms) {
    std::vector<double> a(s.c), b(s.c), abs_a(s.c), abs_b(s.c);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = ChannelOf(i, s);
      double ta, tb;
      terms(i, c, &ta, &tb);
      a[c] += ta;
      b[c] += ta * tb;
      abs_a[c] += std::fabs(ta);
      abs_b[c] += std::fabs(ta * tb);
    }
    const std::vector<double> da = got_a.Download(), db = got_b.Download();
    ASSERT_EQ(da.size(), s.c);
    for (size_t c = 0; c < s.c; ++c) {
      EXPECT_NEAR(da[c], a[c], 1e-5 * abs_a[c] + 1e-30) << "channel " << c;
      EXPECT_NEAR(db[c], b[c], 1e-5 * abs_b[c] + 1e-30) << "channel " << c;
    }
  };

  MISH_CUDA_OK(mish_cuda_bn_statistics_f32(
      x.data(), mean.data(), s, sum_a.data(), sum_b.data(), nullptr));
  expect_sums(sum_a, sum_b, [&](size_t i, size_t c, double* a, double* b) {
    *a = *b = static_cast<double>(h.x[i] - h.mean[c]);
  });

  MISH_CUDA_OK(
      mish_cuda_bn_forward_f32(x.data(), rp, ch, y.data(), s, nullptr));
  const std::vector<float> got_y = y.Download();
  ASSERT_EQ(got_y.size(), n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(F32Api::WithinBound(got_y[i], mish_f64(z_of(i))))
        << "at " << i << ": z = " << z_of(i) << ", got " << got_y[i];
  }

  MISH_CUDA_OK(mish_cuda_bn_backward_sums_f32(
      dy.data(), x.data(), rp, ch, s, sum_a.data(), sum_b.data(),
      normalized ? sum_c.data() : nullptr, nullptr));
  expect_sums(sum_a, sum_b, [&](size_t i, size_t c, double* a, double* b) {
    *a = h.dy[i] * mish_grad_f64(z_of(i));
    *b = static_cast<double>(h.x[i] - h.mean[c]);
  });
  if (normalized) {
    expect_sums(sum_a, sum_c, [&](size_t i, size_t c, double* a, double* b) {
      *a = h.dy[i] * mish_grad_f64(z_of(i));
      *b = static_cast<double>(h.r[i] - h.r_mean[c]);
    });
  }

  MISH_CUDA_OK(mish_cuda_bn_backward_f32(dy.data(), x.data(), rp, ch, dx.data(),
                                         residual ? dr.data() : nullptr, s,
                                         nullptr));
  const std::vector<float> got_dx = dx.Download();
  const std::vector<float> got_dr = dr.Download();
  for (size_t i = 0; i < n; ++i) {
    const size_t c = ChannelOf(i, s);
    const double dz = h.dy[i] * mish_grad_f64(z_of(i));
    const double want = dz * h.g_dz[c] +
                        static_cast<double>(h.x[i] - h.mean[c]) * h.g_xc[c] +
                        h.g_0[c];
    const double size = std::fabs(dz * h.g_dz[c]) +
                        std::fabs((h.x[i] - h.mean[c]) * h.g_xc[c]) +
                        std::fabs(h.g_0[c]);
    ASSERT_NEAR(got_dx[i], want, 1e-6 * size + 1e-30) << "dx at " << i;
    if (normalized) {
      const double rc = static_cast<double>(h.r[i] - h.r_mean[c]);
      const double want_r = dz * h.r_g_dz[c] + rc * h.r_g_xc[c] + h.r_g_0[c];
      const double size_r = std::fabs(dz * h.r_g_dz[c]) +
                            std::fabs(rc * h.r_g_xc[c]) + std::fabs(h.r_g_0[c]);
      ASSERT_NEAR(got_dr[i], want_r, 1e-6 * size_r + 1e-30) << "dr at " << i;
    } else if (residual) {
      ASSERT_NEAR(got_dr[i], dz, 1e-6 * std::fabs(dz) + 1e-30) << "dr at " << i;
    }
  }
  EXPECT_TRUE(x.GuardsIntact() && y.GuardsIntact() && dx.GuardsIntact() &&
              dr.GuardsIntact() && sum_a.GuardsIntact() &&
              sum_b.GuardsIntact() && sum_c.GuardsIntact());
}

TEST_F(CudaBatchNormMish, MatchesHost) {
  const mish_bn_shape shapes[] = {
      {2, 3, 49, 0}, {4, 16, 64, 0},    {1, 7, 1, 0},     {3, 5, 33, 0},
      {2, 3, 49, 1}, {4, 16, 64, 1},    {9, 37, 1, 1},    {2, 70, 15, 1},
      {1, 1, 1, 0},  {16, 64, 1024, 0}, {16, 64, 1024, 1}};
  for (const mish_bn_shape& s : shapes) {
    for (const size_t offset : {0, 1}) {
      for (const Residual residual :
           {Residual::kNone, Residual::kPlain, Residual::kNormalized}) {
        Check(s, offset, residual);
      }
    }
  }
}

TEST_F(CudaBatchNormMish, RefusesBadArguments) {
  DeviceArray<float> x(64), c(4);
  DeviceArray<double> sum(4);
  ASSERT_TRUE(x.ok() && c.ok() && sum.ok());
  const mish_bn_shape ok{2, 4, 8, 0};
  mish_bn_channels ch{};
  ch.scale = ch.shift = ch.mean = ch.g_dz = ch.g_xc = ch.g_0 = c.data();
  EXPECT_EQ(mish_cuda_bn_statistics_f32(x.data(), nullptr, ok, sum.data(),
                                        sum.data(), nullptr),
            cudaErrorInvalidValue);
  mish_bn_channels no_scale = ch;
  no_scale.scale = nullptr;
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, no_scale, x.data(), ok,
                                     nullptr),
            cudaErrorInvalidValue);
  // A residual without its gradient (or the reverse).
  EXPECT_EQ(mish_cuda_bn_backward_f32(x.data(), x.data(), x.data(), ch,
                                      x.data(), nullptr, ok, nullptr),
            cudaErrorInvalidValue);
  // A normalized residual without the residual, or without its arrays.
  mish_bn_channels normalized = ch;
  normalized.r_scale = normalized.r_mean = c.data();
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, normalized, x.data(),
                                     ok, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(mish_cuda_bn_backward_f32(x.data(), x.data(), x.data(), normalized,
                                      x.data(), x.data(), ok, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(mish_cuda_bn_backward_sums_f32(x.data(), x.data(), nullptr,
                                           normalized, ok, sum.data(),
                                           sum.data(), sum.data(), nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape too_many_channels{1, 70000, 1, 0};
  EXPECT_EQ(mish_cuda_bn_statistics_f32(x.data(), c.data(), too_many_channels,
                                        sum.data(), sum.data(), nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape overflow{SIZE_MAX / 2, 4, 8, 0};
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, ch, x.data(), overflow,
                                     nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape empty{0, 4, 8, 1};
  EXPECT_EQ(
      mish_cuda_bn_forward_f32(nullptr, nullptr, ch, nullptr, empty, nullptr),
      cudaSuccess);
}

}  // namespace
}  // namespace mish::test
