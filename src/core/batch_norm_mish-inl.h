// The passes of fused batch norm + Mish on float32 lanes (mish.h's
// mish_bn_*): z = x scale + shift (+ r, or + r r_scale) formed in registers,
// Mish or its derivative of z, and per-channel sums, with no buffer between
// them. NCHW runs a vector loop over each plane with its channel's values
// broadcast; channels-last runs over segments of whole rows with the
// per-channel arrays lane by lane, tiled when rows are short so that the
// vectors run across rows. Lanes past the last whole vector go one at a
// time through the same code (a one-lane tag reads and writes only its own
// element).
//
// Every type computes with the float32 kernels' full-degree exp: z is a
// float32 that the 16-bit kernels' tables and fits were not chosen for, and
// the sums stay float32 anyway. Sums run in float32 lanes over at most
// kFlush terms each, then in float64.

#if defined(MISH_SRC_CORE_BATCH_NORM_MISH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISH_SRC_CORE_BATCH_NORM_MISH_INL_H_
#undef MISH_SRC_CORE_BATCH_NORM_MISH_INL_H_
#else
#define MISH_SRC_CORE_BATCH_NORM_MISH_INL_H_
#endif

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <new>
#include <numeric>

#include "hwy/highway.h"
#include "mish/mish.h"
#include "src/core/batch_norm_args.h"
#include "src/core/f16_tables.h"
#include "src/core/half-inl.h"
#include "src/core/mish-inl.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace bn {
namespace hn = hwy::HWY_NAMESPACE;

// Storage types as float32 lanes in memory order (the per-channel arrays
// line up lane by lane): widened on load, rounded once on store.
struct F32Lanes {
  using T = float;
  template <class D>
  static HWY_INLINE hn::Vec<D> Load(D d, const T* p) {
    return hn::LoadU(d, p);
  }
  template <class D>
  static HWY_INLINE void Store(D d, hn::Vec<D> v, T* p) {
    hn::StoreU(v, d, p);
  }
};

struct BF16Lanes {
  using T = uint16_t;
  template <class D>
  static HWY_INLINE hn::Vec<D> Load(D d, const T* p) {
    return hn::BitCast(d, hn::ShiftLeft<16>(LoadU16(d, p)));
  }
  // A NaN from the caller's float32 arrays may have low bits that the
  // rounding would carry into the sign: NaN is stored as the default NaN.
  template <class D>
  static HWY_INLINE void Store(D d, hn::Vec<D> v, T* p) {
    const hn::RebindToUnsigned<D> du;
    const auto bits =
        hn::IfThenElse(hn::RebindMask(du, hn::IsNaN(v)),
                       hn::Set(du, 0x7FC00000u), RoundedBF16Bits(d, v));
    StoreU16(d, hn::ShiftRight<16>(bits), p);
  }
};

struct F16Lanes {
  using T = uint16_t;
  template <class D>
  static HWY_INLINE hn::Vec<D> Load(D d, const T* p) {
#if MISH_HW_F16
    return LoadF16(d, p);
#else
    // Without a conversion instruction, each value from the table.
    const float* table = detail::F16ToFloatTable();
    HWY_ALIGN float lanes[HWY_MAX_BYTES / sizeof(float)];
    for (size_t i = 0; i < hn::Lanes(d); ++i) lanes[i] = table[p[i]];
    return hn::Load(d, lanes);
#endif
  }
  template <class D>
  static HWY_INLINE void Store(D d, hn::Vec<D> v, T* p) {
    StoreF16(d, v, p);
  }
};

template <class D, class V = hn::Vec<D>>
HWY_INLINE V MishOf(D d, V z) {
  V y = MishOp<6>::Main(d, z);
  if (HWY_UNLIKELY(AnyTail(d, hn::BitCast(hn::RebindToUnsigned<D>(), z)))) {
    y = MishOp<6>::Fix(d, z, y);
  }
  return y;
}

template <class D, class V = hn::Vec<D>>
HWY_INLINE V MishGradOf(D d, V z) {
  V g = MishGradOp<6>::Main(d, z);
  if (HWY_UNLIKELY(AnyTail(d, hn::BitCast(hn::RebindToUnsigned<D>(), z)))) {
    g = MishGradOp<6>::Fix(d, z, g);
  }
  return g;
}

// fn(d, j) for j in [0, n): whole vectors, then one lane at a time.
template <class Fn>
HWY_INLINE void ForLanes(size_t n, const Fn& fn) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  size_t j = 0;
  for (; j + N <= n; j += N) fn(d, j);
  const hn::CappedTag<float, 1> d1;
  for (; j < n; ++j) fn(d1, j);
}

// What a segment's lane j takes from the per-channel array p: NCHW
// (kStep 0) the one value at p, channels-last (kStep 1) p[j].
template <int kStep, class D>
HWY_INLINE hn::Vec<D> At(D d, const float* p, size_t j) {
  if constexpr (kStep == 0) {
    return hn::Set(d, *p);
  } else {
    return hn::LoadU(d, p + j);
  }
}

enum Residual { kNone, kPlain, kNormalized };

template <class IO, bool kLoad, class D>
HWY_INLINE hn::Vec<D> LoadIf(D d, const typename IO::T* p, size_t i) {
  if constexpr (kLoad) {
    return IO::Load(d, p + i);
  } else {
    return hn::Zero(d);
  }
}

template <int kStep, int kRes, class D, class V = hn::Vec<D>>
HWY_INLINE V Z(D d, const mish_bn_channels& p, size_t j, V x, V r) {
  const V z = hn::MulAdd(x, At<kStep>(d, p.scale, j), At<kStep>(d, p.shift, j));
  if constexpr (kRes == kPlain) {
    return hn::Add(z, r);
  } else if constexpr (kRes == kNormalized) {
    return hn::MulAdd(r, At<kStep>(d, p.r_scale, j), z);
  } else {
    return z;
  }
}

// Channels-last rows shorter than this share a segment: the tiled arrays
// and the sums' lanes then stay in L1.
inline constexpr size_t kTile = 256;

// Elements per channels-last segment: whole rows, a multiple of the vector
// where kTile allows, so that no lane of a segment goes alone.
inline size_t SegmentLength(size_t c) {
  if (c == 0 || c >= kTile) return c;
  const size_t N = hn::Lanes(hn::ScalableTag<float>());
  const size_t rows_per_vector = N / std::gcd(c, N);
  size_t rows = kTile / c;
  if (rows >= rows_per_vector) rows -= rows % rows_per_vector;
  return rows * c;
}

struct TiledArrays {
  HWY_ALIGN float values[std::size(detail::kBnChannelArrays)][kTile];
};

// fn(offset, n, channel, p) for each segment of elements offset ..
// offset + n - 1: NCHW a plane of `channel` with p at its values,
// channels-last whole rows with p lane by lane (channel 0). NCHW with
// hw = 1 is channels-last in memory, and runs as such.
template <int kStep, class Fn>
void ForEachSegment(const mish_bn_shape& s, const mish_bn_channels& ch,
                    const Fn& fn) {
  if constexpr (kStep == 0) {
    for (size_t plane = 0; plane < s.n * s.c; ++plane) {
      const size_t c = plane % s.c;
      mish_bn_channels p = ch;
      for (const auto array : detail::kBnChannelArrays) {
        if (p.*array != nullptr) p.*array += c;
      }
      fn(plane * s.hw, s.hw, c, p);
    }
  } else {
    const size_t total = s.n * s.c * s.hw;
    const size_t length = SegmentLength(s.c);
    mish_bn_channels p = ch;
    TiledArrays tiled;
    if (length > s.c) {
      for (size_t a = 0; a < std::size(detail::kBnChannelArrays); ++a) {
        const float* from = ch.*detail::kBnChannelArrays[a];
        if (from == nullptr) continue;
        for (size_t j = 0; j < length; j += s.c) {
          memcpy(tiled.values[a] + j, from, s.c * sizeof(float));
        }
        p.*detail::kBnChannelArrays[a] = tiled.values[a];
      }
    }
    for (size_t off = 0; off < total; off += length) {
      fn(off, std::min(length, total - off), size_t{0}, p);
    }
  }
}

// Runs Pass<kStep, kRes> for the shape's layout and the residual's kind.
template <template <int, int> class Pass, class... Args>
HWY_INLINE void WithLayout(const mish_bn_shape& s, bool residual,
                           bool normalized, Args&&... args) {
  const auto with_step = [&](auto step) {
    constexpr int kStep = decltype(step)::value;
    if (normalized) {
      Pass<kStep, kNormalized>::Run(s, args...);
    } else if (residual) {
      Pass<kStep, kPlain>::Run(s, args...);
    } else {
      Pass<kStep, kNone>::Run(s, args...);
    }
  };
  if (s.channels_last || s.hw == 1) {
    with_step(std::integral_constant<int, 1>());
  } else {
    with_step(std::integral_constant<int, 0>());
  }
}

// Float32 lanes of a sum take at most this many terms before they go into
// the float64 sums: the float32 error stays below 64 2^-24 of the terms'
// magnitude.
inline constexpr size_t kFlush = 64;

template <class D>
HWY_INLINE double LaneSum(D d, hn::Vec<D> v) {
  HWY_ALIGN float lanes[HWY_MAX_BYTES / sizeof(float)];
  hn::Store(v, d, lanes);
  double sum = 0.0;
  for (size_t i = 0; i < hn::Lanes(d); ++i) sum += lanes[i];
  return sum;
}

// An element's a and b[t], t < kTerms: the sums are sum(a), sum(a b[t]).
template <class V, int kTerms>
struct Terms {
  V a;
  V b[kTerms];
};

// out[0][c] = sum(a), out[1 + t][c] = sum(a b[t]) per channel c, where
// terms(d, i, j, p) gives element i's, the segment's lane j with the
// segment's per-channel values p. Returns non-zero, writing nothing, where
// the channels-last lanes cannot be had.
template <int kStep, int kTerms, class TermsFn>
int ChannelSums(const mish_bn_shape& s, const mish_bn_channels& ch,
                const TermsFn& terms, double* const (&out)[1 + kTerms]) {
  constexpr int kSums = 1 + kTerms;
  if constexpr (kStep == 0) {
    for (double* o : out) std::fill(o, o + s.c, 0.0);
    ForEachSegment<0>(
        s, ch,
        [&](size_t off, size_t n, size_t c, const mish_bn_channels& p)
            HWY_ATTR {
              const hn::ScalableTag<float> d;
              const size_t N = hn::Lanes(d);
              size_t j = 0;
              while (j + N <= n) {
                hn::Vec<decltype(d)> acc[kSums];
                for (auto& a : acc) a = hn::Zero(d);
                for (size_t v = 0; v < kFlush && j + N <= n; ++v, j += N) {
                  const auto t = terms(d, off + j, j, p);
                  acc[0] = hn::Add(acc[0], t.a);
                  for (int k = 0; k < kTerms; ++k) {
                    acc[1 + k] = hn::MulAdd(t.a, t.b[k], acc[1 + k]);
                  }
                }
                for (int k = 0; k < kSums; ++k) out[k][c] += LaneSum(d, acc[k]);
              }
              const hn::CappedTag<float, 1> d1;
              for (; j < n; ++j) {
                const auto t = terms(d1, off + j, j, p);
                const double a = hn::GetLane(t.a);
                out[0][c] += a;
                for (int k = 0; k < kTerms; ++k) {
                  out[1 + k][c] += a * static_cast<double>(hn::GetLane(t.b[k]));
                }
              }
            });
  } else {
    // Per lane of a segment: float32 sums of up to kFlush segments, then
    // float64 ones, folded into channels at the end.
    const size_t length = SegmentLength(s.c);
    const std::unique_ptr<float[]> lanes(
        new (std::nothrow) float[kSums * length]());
    const std::unique_ptr<double[]> totals(
        new (std::nothrow) double[kSums * length]());
    if (length > 0 && (lanes == nullptr || totals == nullptr)) return 1;
    size_t pending = 0;
    const auto flush = [&] {
      for (size_t j = 0; j < kSums * length; ++j) {
        totals[j] += lanes[j];
        lanes[j] = 0.0f;
      }
      pending = 0;
    };
    ForEachSegment<1>(
        s, ch,
        [&](size_t off, size_t n, size_t, const mish_bn_channels& p) HWY_ATTR {
          ForLanes(n, [&](auto d, size_t j) HWY_ATTR {
            const auto t = terms(d, off + j, j, p);
            float* sum = lanes.get() + j;
            hn::StoreU(hn::Add(hn::LoadU(d, sum), t.a), d, sum);
            for (int k = 0; k < kTerms; ++k) {
              sum += length;
              hn::StoreU(hn::MulAdd(t.a, t.b[k], hn::LoadU(d, sum)), d, sum);
            }
          });
          if (++pending == kFlush) flush();
        });
    flush();
    for (int k = 0; k < kSums; ++k) {
      std::fill(out[k], out[k] + s.c, 0.0);
      for (size_t j = 0; j < length; ++j) {
        out[k][j % s.c] += totals[k * length + j];
      }
    }
  }
  return 0;
}

template <class IO>
int Statistics(const typename IO::T* x, const float* k, mish_bn_shape s,
               double* sum, double* sum_sq) {
  size_t total;
  if (!detail::BnElements(s, sizeof(*x), &total) || !detail::Usable(x, total) ||
      !detail::Usable(k, s.c) || !detail::Usable(sum, s.c) ||
      !detail::Usable(sum_sq, s.c)) {
    return 1;
  }
  // k in mean's place: a = b = x - k.
  mish_bn_channels ch{};
  ch.mean = k;
  const auto run = [&](auto step) {
    constexpr int kStep = decltype(step)::value;
    const auto terms = [&](auto d, size_t i, size_t j,
                           const mish_bn_channels& p) HWY_ATTR {
      const auto a = hn::Sub(IO::Load(d, x + i), At<kStep>(d, p.mean, j));
      return Terms<hn::Vec<decltype(d)>, 1>{a, {a}};
    };
    return ChannelSums<kStep, 1>(s, ch, terms, {sum, sum_sq});
  };
  if (s.channels_last || s.hw == 1) {
    return run(std::integral_constant<int, 1>());
  }
  return run(std::integral_constant<int, 0>());
}

template <class IO>
struct ForwardPass {
  template <int kStep, int kRes>
  struct Layout {
    using T = typename IO::T;
    static void Run(const mish_bn_shape& s, const T* x, const T* r,
                    const mish_bn_channels& ch, T* y) {
      ForEachSegment<kStep>(
          s, ch,
          [&](size_t off, size_t n, size_t,
              const mish_bn_channels& p) HWY_ATTR {
            ForLanes(n, [&](auto d, size_t j) HWY_ATTR {
              const size_t i = off + j;
              const auto xv = IO::Load(d, x + i);
              const auto rv = LoadIf<IO, kRes != kNone>(d, r, i);
              IO::Store(d, MishOf(d, Z<kStep, kRes>(d, p, j, xv, rv)), y + i);
            });
          });
    }
  };
};

template <class IO>
int Forward(const typename IO::T* x, const typename IO::T* residual,
            mish_bn_channels ch, typename IO::T* y, mish_bn_shape s) {
  size_t total;
  if (!detail::BnElements(s, sizeof(*x), &total) ||
      !detail::BnChannelsValid(ch, s.c, detail::BnPass::kForward) ||
      !detail::Usable(x, total) || !detail::Usable(y, total) ||
      !detail::Usable(residual, ch.r_scale != nullptr ? total : 0)) {
    return 1;
  }
  if (total == 0) return 0;
  WithLayout<ForwardPass<IO>::template Layout>(
      s, residual != nullptr, ch.r_scale != nullptr, x, residual, ch, y);
  return 0;
}

// dz = dy mish'(z) of element i, lane j of its segment.
template <class IO, int kStep, int kRes, class D, class V = hn::Vec<D>>
HWY_INLINE V Dz(D d, const typename IO::T* dy, const mish_bn_channels& p,
                size_t i, size_t j, V x, V r) {
  return hn::Mul(IO::Load(d, dy + i),
                 MishGradOf(d, Z<kStep, kRes>(d, p, j, x, r)));
}

template <class IO>
int BackwardSums(const typename IO::T* dy, const typename IO::T* x,
                 const typename IO::T* residual, mish_bn_channels ch,
                 mish_bn_shape s, double* sum_dz, double* sum_dz_xc,
                 double* sum_dz_rc) {
  size_t total;
  const bool normalized = ch.r_scale != nullptr;
  if (!detail::BnElements(s, sizeof(*x), &total) ||
      !detail::BnChannelsValid(ch, s.c, detail::BnPass::kBackwardSums) ||
      !detail::Usable(dy, total) || !detail::Usable(x, total) ||
      !detail::Usable(residual, normalized ? total : 0) ||
      !detail::Usable(sum_dz, s.c) || !detail::Usable(sum_dz_xc, s.c) ||
      !detail::Usable(sum_dz_rc, 0) ||
      (sum_dz_rc != nullptr &&
       (!normalized || !detail::Usable(ch.r_mean, s.c) ||
        !detail::Usable(residual, total)))) {
    return 1;
  }
  int result = 0;
  const auto run = [&](auto step, auto res, auto terms_count) {
    constexpr int kStep = decltype(step)::value;
    constexpr int kRes = decltype(res)::value;
    constexpr int kTerms = decltype(terms_count)::value;
    const auto terms = [&](auto d, size_t i, size_t j,
                           const mish_bn_channels& p) HWY_ATTR {
      const auto xv = IO::Load(d, x + i);
      const auto rv = LoadIf<IO, kRes != kNone>(d, residual, i);
      Terms<hn::Vec<decltype(d)>, kTerms> t;
      t.a = Dz<IO, kStep, kRes>(d, dy, p, i, j, xv, rv);
      t.b[0] = hn::Sub(xv, At<kStep>(d, p.mean, j));
      if constexpr (kTerms == 2)
        t.b[1] = hn::Sub(rv, At<kStep>(d, p.r_mean, j));
      return t;
    };
    if constexpr (kTerms == 2) {
      result =
          ChannelSums<kStep, 2>(s, ch, terms, {sum_dz, sum_dz_xc, sum_dz_rc});
    } else {
      result = ChannelSums<kStep, 1>(s, ch, terms, {sum_dz, sum_dz_xc});
    }
  };
  const auto with_step = [&](auto step) {
    using Int = std::integral_constant<int, 1>;
    using Two = std::integral_constant<int, 2>;
    if (sum_dz_rc != nullptr) {
      run(step, std::integral_constant<int, kNormalized>(), Two());
    } else if (normalized) {
      run(step, std::integral_constant<int, kNormalized>(), Int());
    } else if (residual != nullptr) {
      run(step, std::integral_constant<int, kPlain>(), Int());
    } else {
      run(step, std::integral_constant<int, kNone>(), Int());
    }
  };
  if (s.channels_last || s.hw == 1) {
    with_step(std::integral_constant<int, 1>());
  } else {
    with_step(std::integral_constant<int, 0>());
  }
  return result;
}

template <class IO>
struct BackwardPass {
  template <int kStep, int kRes>
  struct Layout {
    using T = typename IO::T;
    static void Run(const mish_bn_shape& s, const T* dy, const T* x, const T* r,
                    const mish_bn_channels& ch, T* dx, T* dr) {
      ForEachSegment<kStep>(
          s, ch,
          [&](size_t off, size_t n, size_t, const mish_bn_channels& p)
              HWY_ATTR {
                ForLanes(n, [&](auto d, size_t j) HWY_ATTR {
                  const size_t i = off + j;
                  const auto xv = IO::Load(d, x + i);
                  const auto rv = LoadIf<IO, kRes != kNone>(d, r, i);
                  const auto dz = Dz<IO, kStep, kRes>(d, dy, p, i, j, xv, rv);
                  const auto xc = hn::Sub(xv, At<kStep>(d, p.mean, j));
                  const auto dxv =
                      hn::MulAdd(dz, At<kStep>(d, p.g_dz, j),
                                 hn::MulAdd(xc, At<kStep>(d, p.g_xc, j),
                                            At<kStep>(d, p.g_0, j)));
                  // dr is null when no residual gradient is wanted.
                  if constexpr (kRes == kPlain) {
                    if (dr != nullptr) IO::Store(d, dz, dr + i);
                  } else if constexpr (kRes == kNormalized) {
                    const auto rc = hn::Sub(rv, At<kStep>(d, p.r_mean, j));
                    const auto drv =
                        hn::MulAdd(dz, At<kStep>(d, p.r_g_dz, j),
                                   hn::MulAdd(rc, At<kStep>(d, p.r_g_xc, j),
                                              At<kStep>(d, p.r_g_0, j)));
                    if (dr != nullptr) IO::Store(d, drv, dr + i);
                  }
                  IO::Store(d, dxv, dx + i);
                });
              });
    }
  };
};

template <class IO>
int Backward(const typename IO::T* dy, const typename IO::T* x,
             const typename IO::T* residual, mish_bn_channels ch,
             typename IO::T* dx, typename IO::T* dresidual, mish_bn_shape s) {
  size_t total;
  if (!detail::BnElements(s, sizeof(*x), &total) ||
      !detail::BnChannelsValid(ch, s.c, detail::BnPass::kBackward) ||
      !detail::Usable(dy, total) || !detail::Usable(x, total) ||
      !detail::Usable(dx, total) || !detail::Usable(residual, 0) ||
      !detail::Usable(dresidual, 0) ||
      (dresidual != nullptr && residual == nullptr) ||
      (ch.r_scale != nullptr && residual == nullptr && total > 0)) {
    return 1;
  }
  if (total == 0) return 0;
  WithLayout<BackwardPass<IO>::template Layout>(s, residual != nullptr,
                                                ch.r_scale != nullptr, dy, x,
                                                residual, ch, dx, dresidual);
  return 0;
}

}  // namespace bn
}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#endif  // MISH_SRC_CORE_BATCH_NORM_MISH_INL_H_
