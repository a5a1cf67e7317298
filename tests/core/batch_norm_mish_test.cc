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
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "mish/mish.h"
#include "src/core/reference.h"
#include "src/core/targets.h"
#include "tests/core/contract.h"

namespace mish {
namespace detail {
void PrintTo(const BnKernels& k, std::ostream* os) { *os << k.target; }
}  // namespace detail

namespace {

using detail::BnKernels;
using detail::BnPasses;

// The passes add at most this many float32 terms before going to float64
// (batch_norm_mish-inl.h's kFlush), each product rounded once more.
constexpr double kSumRelative = (64 + 1) * 0x1p-24;
// dx = dz g_dz + (x - mean) g_xc + g_0 rounds at most five times in float32.
constexpr double kCombineRelative = 5 * 0x1p-24;

// A storage type: float32, or a 16-bit format of contract.h.
struct Storage {
  const contract::Format16* format;  // null for float32
  const char* name() const { return format ? format->name : "f32"; }
};

// n elements `offset` past an aligned start, between guard elements.
template <class T>
struct Guarded {
  static constexpr size_t kGuard = 16;
  static constexpr T kFill = static_cast<T>(0x5A5A);
  std::vector<T> all;
  size_t first;
  size_t n;
  Guarded(size_t count, size_t offset)
      : all(count + offset + 2 * kGuard, kFill),
        first(kGuard + offset),
        n(count) {}
  T* data() { return all.data() + first; }
  bool GuardsIntact() const {
    const auto fill = [](T v) { return v == kFill; };
    return std::all_of(all.begin(), all.begin() + first, fill) &&
           std::all_of(all.begin() + first + n, all.end(), fill);
  }
};

enum class Residual { kNone, kPlain, kNormalized };

size_t ChannelOf(size_t i, const mish_bn_shape& s) {
  return s.channels_last ? i % s.c : (i / s.hw) % s.c;
}

// Host data of one case, each activation exact in the storage type.
struct Case {
  mish_bn_shape s{};
  Residual mode = Residual::kNone;
  Storage type{nullptr};
  bool fma = false;
  std::vector<float> x, r, dy;
  std::vector<float> scale, shift, mean, g_dz, g_xc, g_0, r_scale, r_mean,
      r_g_dz, r_g_xc, r_g_0;

  size_t total() const { return s.n * s.c * s.hw; }
  bool residual() const { return mode != Residual::kNone; }
  bool normalized() const { return mode == Residual::kNormalized; }

  // z as the target forms it in float32.
  float Z(size_t i) const {
    const size_t c = ChannelOf(i, s);
    const auto mul_add = [&](float a, float b, float add) {
      if (fma) return std::fma(a, b, add);
      const float product = a * b;
      return product + add;
    };
    const float z = mul_add(x[i], scale[c], shift[c]);
    if (normalized()) return mul_add(r[i], r_scale[c], z);
    return residual() ? z + r[i] : z;
  }

  mish_bn_channels Channels() const {
    mish_bn_channels ch{};
    ch.scale = scale.data();
    ch.shift = shift.data();
    ch.mean = mean.data();
    ch.g_dz = g_dz.data();
    ch.g_xc = g_xc.data();
    ch.g_0 = g_0.data();
    if (normalized()) {
      ch.r_scale = r_scale.data();
      ch.r_mean = r_mean.data();
      ch.r_g_dz = r_g_dz.data();
      ch.r_g_xc = r_g_xc.data();
      ch.r_g_0 = r_g_0.data();
    }
    return ch;
  }
};

float Exact(const Storage& t, float v) {
  return t.format ? t.format->to_float(t.format->round(v)) : v;
}

Case MakeCase(const mish_bn_shape& s, Residual mode, Storage type) {
  Case k;
  k.s = s;
  k.mode = mode;
  k.type = type;
  std::mt19937 rng(static_cast<uint32_t>(s.n * 131 + s.c * 17 + s.hw));
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (auto* v : {&k.x, &k.r, &k.dy}) {
    v->resize(k.total());
    for (float& e : *v) e = Exact(type, normal(rng));
  }
  for (auto* v : {&k.scale, &k.shift, &k.mean, &k.g_dz, &k.g_xc, &k.g_0,
                  &k.r_scale, &k.r_mean, &k.r_g_dz, &k.r_g_xc, &k.r_g_0}) {
    v->resize(s.c);
    for (float& e : *v) e = normal(rng) * 0.5f;
  }
  return k;
}

// The arrays of one storage type, guarded.
template <class S>
std::vector<S> Encode(const Storage& t, const std::vector<float>& v) {
  std::vector<S> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if constexpr (sizeof(S) == sizeof(float)) {
      out[i] = v[i];
    } else {
      out[i] = t.format->round(v[i]);
    }
  }
  return out;
}

template <class S>
float Decode(const Storage& t, S v) {
  if constexpr (sizeof(S) == sizeof(float)) {
    return v;
  } else {
    return t.format->to_float(v);
  }
}

// dz's error allowed by the contract: absolute in [-2, 0], else in ulp.
double DzBound(float z, double dy, double dz) {
  if (contract::InRootRegion(z))
    return contract::kBackwardMaxAbs * std::fabs(dy);
  return (contract::kBackwardMaxUlp + 0.5) * 0x1p-23 * std::fabs(dz) + 0x1p-149;
}

// Sums of a and a b per channel with their allowed error.
struct ExpectedSums {
  std::vector<double> sum, bound;
  explicit ExpectedSums(size_t c) : sum(c), bound(c) {}
  void Add(size_t c, double term, double term_bound) {
    sum[c] += term;
    bound[c] += kSumRelative * std::fabs(term) + term_bound;
  }
  void Expect(const double* got, const char* what) const {
    for (size_t c = 0; c < sum.size(); ++c) {
      EXPECT_NEAR(got[c], sum[c], bound[c] + 1e-300)
          << what << " channel " << c;
    }
  }
};

// One element's output against its double value: float32 within `bound`,
// 16-bit within that plus a step of the format.
template <class S>
void ExpectOutput(const Storage& t, S got, double want, double bound,
                  const char* what, size_t i) {
  const double g = Decode(t, got);
  const double allowed =
      bound + (t.format ? contract::Step16(*t.format, want) : 0.0);
  ASSERT_NEAR(g, want, allowed) << what << " at " << i;
}

template <class S>
void Check(const BnPasses<S>& f, const Case& k, size_t offset) {
  SCOPED_TRACE(::testing::Message()
               << k.type.name() << " " << k.s.n << "x" << k.s.c << "x" << k.s.hw
               << (k.s.channels_last ? " channels-last" : " NCHW") << " offset "
               << offset
               << (k.mode == Residual::kNone    ? ""
                   : k.mode == Residual::kPlain ? " residual"
                                                : " normalized residual"));
  const size_t n = k.total();
  const mish_bn_shape& s = k.s;
  const std::vector<S> xs = Encode<S>(k.type, k.x), rs = Encode<S>(k.type, k.r),
                       dys = Encode<S>(k.type, k.dy);
  Guarded<S> x(n, offset), r(n, offset), dy(n, offset), y(n, offset),
      dx(n, offset), dr(n, offset);
  std::copy(xs.begin(), xs.end(), x.data());
  std::copy(rs.begin(), rs.end(), r.data());
  std::copy(dys.begin(), dys.end(), dy.data());
  Guarded<double> sum_a(s.c, 0), sum_b(s.c, 0), sum_c(s.c, 0);
  const mish_bn_channels ch = k.Channels();
  const S* rp = k.residual() ? r.data() : nullptr;

  // Statistics around mean: a = b = x - mean.
  ASSERT_EQ(
      f.statistics(x.data(), k.mean.data(), s, sum_a.data(), sum_b.data()), 0);
  {
    ExpectedSums a(s.c), b(s.c);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = ChannelOf(i, s);
      const double xc = static_cast<double>(k.x[i]) - k.mean[c];
      // x - mean rounds in float32 first.
      const double xc_bound = std::fabs(xc) * 0x1p-24;
      a.Add(c, xc, xc_bound);
      b.Add(c, xc * xc, 2 * std::fabs(xc) * xc_bound);
    }
    a.Expect(sum_a.data(), "sum");
    b.Expect(sum_b.data(), "sum_sq");
  }

  ASSERT_EQ(f.forward(x.data(), rp, ch, y.data(), s), 0);
  for (size_t i = 0; i < n; ++i) {
    const float z = k.Z(i);
    if (k.type.format == nullptr) {
      ASSERT_TRUE(contract::ForwardOk(z, Decode(k.type, y.data()[i])))
          << "y at " << i << ": z = " << z << ", got " << y.data()[i];
    } else {
      ASSERT_LE(
          contract::Steps16(*k.type.format, static_cast<uint16_t>(y.data()[i]),
                            ref::Mish(z)),
          contract::kMaxSteps16)
          << "y at " << i << ": z = " << z;
    }
  }

  ASSERT_EQ(f.backward_sums(dy.data(), x.data(), rp, ch, s, sum_a.data(),
                            sum_b.data(),
                            ch.r_scale != nullptr ? sum_c.data() : nullptr),
            0);
  {
    ExpectedSums a(s.c), b(s.c), rc_sums(s.c);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = ChannelOf(i, s);
      const float z = k.Z(i);
      const double dz = k.dy[i] * ref::MishGrad(z);
      const double dz_bound = DzBound(z, k.dy[i], dz);
      const double xc = static_cast<double>(k.x[i]) - k.mean[c];
      const double rc = static_cast<double>(k.r[i]) - k.r_mean[c];
      a.Add(c, dz, dz_bound);
      b.Add(c, dz * xc,
            dz_bound * std::fabs(xc) + std::fabs(dz * xc) * 0x1p-24);
      rc_sums.Add(c, dz * rc,
                  dz_bound * std::fabs(rc) + std::fabs(dz * rc) * 0x1p-24);
    }
    a.Expect(sum_a.data(), "sum_dz");
    b.Expect(sum_b.data(), "sum_dz_xc");
    if (k.normalized()) rc_sums.Expect(sum_c.data(), "sum_dz_rc");
  }

  ASSERT_EQ(f.backward(dy.data(), x.data(), rp, ch, dx.data(),
                       k.residual() ? dr.data() : nullptr, s),
            0);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = ChannelOf(i, s);
    const float z = k.Z(i);
    const double dz = k.dy[i] * ref::MishGrad(z);
    const double dz_bound = DzBound(z, k.dy[i], dz);
    // dz g + (v - mean) g_v + g_0 and its allowed float32 error.
    const auto combine = [&](float v, float mean, float g, float g_v, float g_0,
                             double* bound) {
      const double vc = static_cast<double>(v) - mean;
      const double size =
          std::fabs(dz * g) + std::fabs(vc * g_v) + std::fabs(g_0);
      *bound = std::fabs(g) * dz_bound + kCombineRelative * size;
      return dz * g + vc * g_v + g_0;
    };
    double bound;
    const double want =
        combine(k.x[i], k.mean[c], k.g_dz[c], k.g_xc[c], k.g_0[c], &bound);
    ExpectOutput(k.type, dx.data()[i], want, bound, "dx", i);
    if (k.normalized()) {
      const double want_r = combine(k.r[i], k.r_mean[c], k.r_g_dz[c],
                                    k.r_g_xc[c], k.r_g_0[c], &bound);
      ExpectOutput(k.type, dr.data()[i], want_r, bound, "dr", i);
    } else if (k.residual()) {
      ExpectOutput(k.type, dr.data()[i], dz, dz_bound, "dr", i);
    }
  }
  EXPECT_TRUE(x.GuardsIntact() && y.GuardsIntact() && dx.GuardsIntact() &&
              dr.GuardsIntact() && sum_a.GuardsIntact() &&
              sum_b.GuardsIntact() && sum_c.GuardsIntact());
}

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
        Case k = MakeCase(s, mode, type);
        for (const BnKernels& kernels : Targets()) {
          SCOPED_TRACE(kernels.target);
          k.fma = kernels.fused_multiply_add;
          for (const size_t offset : {0, 1}) {
            if (type.format == nullptr) {
              Check(kernels.f32, k, offset);
            } else {
              Check(
                  type.format == &contract::kBf16 ? kernels.bf16 : kernels.f16,
                  k, offset);
            }
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
  const Case k = MakeCase({2, 5, 21, 0}, Residual::kPlain, {nullptr});
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

// The split mish.h documents for threads: rows of channels-last, images
// and one image's channels of NCHW; the parts' sums add up to the whole's.
TEST(BatchNormMish, PartsAddUp) {
  for (const int channels_last : {0, 1}) {
    const Case k =
        MakeCase({3, 6, 10, channels_last}, Residual::kNone, {nullptr});
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
    EXPECT_NE(f.backward(xp, xp, xp, ch, o, nullptr, ok), 0);
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
