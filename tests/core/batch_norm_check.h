// The check of the fused batch norm + Mish passes (mish.h's mish_bn_*)
// against the float64 reference of the same z, formed in float32 as the
// implementation forms it, with contract.h's bounds for Mish and mish': the
// CPU test (every SIMD target), the CUDA test and the fuzzer all check
// through it. Without gtest: a check returns what failed, empty if nothing.
#ifndef MISH_TESTS_CORE_BATCH_NORM_CHECK_H_
#define MISH_TESTS_CORE_BATCH_NORM_CHECK_H_

#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mish/mish.h"
#include "src/core/reference.h"
#include "src/core/targets.h"
#include "tests/core/contract.h"

namespace mish::bn_check {

using detail::BnPasses;

// The CPU passes add at most 64 float32 terms before going to float64
// (batch_norm_mish-inl.h's kFlush), each product rounded once more: sums
// within this share of the sum of |terms| (an implementation that adds more
// float32 terms passes its own bound to Check).
constexpr double kCpuSumRelative = (64 + 1) * 0x1p-24;
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

inline size_t ChannelOf(size_t i, const mish_bn_shape& s) {
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

inline float Exact(const Storage& t, float v) {
  return t.format ? t.format->to_float(t.format->round(v)) : v;
}

// Activations from next() (made exact in the storage type), per-channel
// values from next() / 2.
template <class Next>
Case MakeCase(const mish_bn_shape& s, Residual mode, Storage type,
              Next&& next) {
  Case k;
  k.s = s;
  k.mode = mode;
  k.type = type;
  for (auto* v : {&k.x, &k.r, &k.dy}) {
    v->resize(k.total());
    for (float& e : *v) e = Exact(type, next());
  }
  for (auto* v : {&k.scale, &k.shift, &k.mean, &k.g_dz, &k.g_xc, &k.g_0,
                  &k.r_scale, &k.r_mean, &k.r_g_dz, &k.r_g_xc, &k.r_g_0}) {
    v->resize(s.c);
    for (float& e : *v) e = next() * 0.5f;
  }
  return k;
}

// Normal values (sigma 2) from a seed of the shape.
inline Case RandomCase(const mish_bn_shape& s, Residual mode, Storage type) {
  std::mt19937 rng(static_cast<uint32_t>(s.n * 131 + s.c * 17 + s.hw));
  std::normal_distribution<float> normal(0.0f, 2.0f);
  return MakeCase(s, mode, type, [&] { return normal(rng); });
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
inline double DzBound(float z, double dy, double dz) {
  if (contract::InRootRegion(z)) {
    return contract::kBackwardMaxAbs * std::fabs(dy);
  }
  return (contract::kBackwardMaxUlp + 0.5) * 0x1p-23 * std::fabs(dz) + 0x1p-149;
}

// Per-channel sums with their allowed error.
struct ExpectedSums {
  double relative;
  std::vector<double> sum, bound;
  ExpectedSums(size_t c, double sum_relative)
      : relative(sum_relative), sum(c), bound(c) {}
  void Add(size_t c, double term, double term_bound) {
    sum[c] += term;
    bound[c] += relative * std::fabs(term) + term_bound;
  }
  // What is off in got, empty if nothing.
  std::string Compare(const double* got, const char* what) const {
    std::ostringstream out;
    for (size_t c = 0; c < sum.size(); ++c) {
      if (!(std::fabs(got[c] - sum[c]) <= bound[c] + 1e-300)) {
        out << what << " of channel " << c << ": " << got[c] << ", want "
            << sum[c] << " within " << bound[c];
        break;
      }
    }
    return out.str();
  }
};

// An element's output against its float64 value: float32 within `bound`,
// 16-bit within that plus a step of the format.
template <class S>
bool OutputOk(const Storage& t, S got, double want, double bound) {
  const double allowed =
      bound + (t.format ? contract::Step16(*t.format, want) : 0.0);
  return std::fabs(Decode(t, got) - want) <= allowed;
}

inline std::string Describe(const Case& k, size_t offset) {
  std::ostringstream out;
  out << k.type.name() << " " << k.s.n << "x" << k.s.c << "x" << k.s.hw
      << (k.s.channels_last ? " channels-last" : " NCHW") << " offset "
      << offset
      << (k.mode == Residual::kNone    ? ""
          : k.mode == Residual::kPlain ? " residual"
                                       : " normalized residual");
  return out.str();
}

// Runs the four passes of f on case k with its arrays `offset` elements past
// an aligned start; returns what failed, empty if nothing did.
template <class S>
std::string Check(const BnPasses<S>& f, const Case& k, size_t offset,
                  double sum_relative = kCpuSumRelative) {
  const std::string where = Describe(k, offset) + ": ";
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
  std::string failed;

  // Statistics around mean: a = b = x - mean, rounded in float32 first.
  if (f.statistics(x.data(), k.mean.data(), s, sum_a.data(), sum_b.data()) !=
      0) {
    return where + "statistics refused valid arguments";
  }
  {
    ExpectedSums a(s.c, sum_relative), b(s.c, sum_relative);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = ChannelOf(i, s);
      const double xc = static_cast<double>(k.x[i]) - k.mean[c];
      const double xc_bound = std::fabs(xc) * 0x1p-24;
      a.Add(c, xc, xc_bound);
      b.Add(c, xc * xc, 2 * std::fabs(xc) * xc_bound);
    }
    failed = a.Compare(sum_a.data(), "sum") + b.Compare(sum_b.data(), "sum_sq");
    if (!failed.empty()) return where + failed;
  }

  if (f.forward(x.data(), rp, ch, y.data(), s) != 0) {
    return where + "forward refused valid arguments";
  }
  for (size_t i = 0; i < n; ++i) {
    const float z = k.Z(i);
    const bool ok =
        k.type.format == nullptr
            ? contract::ForwardOk(z, Decode(k.type, y.data()[i]))
            : contract::Steps16(*k.type.format,
                                static_cast<uint16_t>(y.data()[i]),
                                ref::Mish(z)) <= contract::kMaxSteps16;
    if (!ok) {
      std::ostringstream out;
      out << where << "y at " << i << " (z = " << z
          << "): " << Decode(k.type, y.data()[i]) << ", want " << ref::Mish(z);
      return out.str();
    }
  }

  if (f.backward_sums(dy.data(), x.data(), rp, ch, s, sum_a.data(),
                      sum_b.data(),
                      ch.r_scale != nullptr ? sum_c.data() : nullptr) != 0) {
    return where + "backward_sums refused valid arguments";
  }
  {
    ExpectedSums a(s.c, sum_relative), b(s.c, sum_relative),
        rc_sums(s.c, sum_relative);
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
    failed = a.Compare(sum_a.data(), "sum_dz") +
             b.Compare(sum_b.data(), "sum_dz_xc");
    if (ch.r_scale != nullptr) {
      failed += rc_sums.Compare(sum_c.data(), "sum_dz_rc");
    }
    if (!failed.empty()) return where + failed;
  }

  if (f.backward(dy.data(), x.data(), rp, ch, dx.data(),
                 k.residual() ? dr.data() : nullptr, s) != 0) {
    return where + "backward refused valid arguments";
  }
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
    const char* what = nullptr;
    if (!OutputOk(k.type, dx.data()[i], want, bound)) what = "dx";
    if (k.normalized()) {
      double r_bound;
      const double want_r = combine(k.r[i], k.r_mean[c], k.r_g_dz[c],
                                    k.r_g_xc[c], k.r_g_0[c], &r_bound);
      if (!OutputOk(k.type, dr.data()[i], want_r, r_bound)) what = "dr";
    } else if (k.residual() && !OutputOk(k.type, dr.data()[i], dz, dz_bound)) {
      what = "dr (= dz)";
    }
    if (what != nullptr) {
      std::ostringstream out;
      out << where << what << " at " << i << " (z = " << z << ") off bounds";
      return out.str();
    }
  }
  if (!(x.GuardsIntact() && y.GuardsIntact() && dx.GuardsIntact() &&
        dr.GuardsIntact() && sum_a.GuardsIntact() && sum_b.GuardsIntact() &&
        sum_c.GuardsIntact())) {
    return where + "wrote outside its arrays";
  }
  return "";
}

}  // namespace mish::bn_check

#endif  // MISH_TESTS_CORE_BATCH_NORM_CHECK_H_
