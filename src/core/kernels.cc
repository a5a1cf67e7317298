// Array kernels, compiled once per SIMD target, and the C ABI that
// dispatches to the best target this CPU supports.

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/core/kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/core/f16_tables.h"
#include "src/core/half-inl.h"
#include "src/core/mish-inl.h"
#include "src/core/targets.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Element types as float32 lanes, two vectors (2N elements) at a time:
// Load2 widens, Store2 rounds once; the lanes may be permuted as long as
// Store2 undoes what Load2 did. kForward/kBackward: the exp degree that
// the type's precision needs (exp-inl.h).
struct F32IO {
  using T = float;
  static constexpr int kForward = 6, kBackward = 6;
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Load2(D d, const T* p, V& a, V& b) {
    a = hn::LoadU(d, p);
    b = hn::LoadU(d, p + hn::Lanes(d));
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Store2(D d, V a, V b, T* p) {
    hn::StoreU(a, d, p);
    hn::StoreU(b, d, p + hn::Lanes(d));
  }
};

// bfloat16 is the top half of a float32: a full vector of 16-bit lanes
// splits into even and odd elements with one operation each and joins back
// with one blend, without crossing lanes.
struct BF16IO {
  using T = uint16_t;
  static constexpr int kForward = 3, kBackward = 4;
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Load2(D d, const T* p, V& even, V& odd) {
#if HWY_TARGET == HWY_SCALAR  // one lane: nothing to split
    even = hn::BitCast(d, hn::ShiftLeft<16>(LoadU16(d, p)));
    odd = hn::BitCast(d, hn::ShiftLeft<16>(LoadU16(d, p + 1)));
#else
    const hn::RebindToUnsigned<D> du;
    const hn::Repartition<uint16_t, D> du16;
    const auto w = hn::BitCast(du, hn::LoadU(du16, p));
    even = hn::BitCast(d, hn::ShiftLeft<16>(w));
    odd = hn::BitCast(d, hn::And(w, hn::Set(du, 0xFFFF0000u)));
#endif
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Store2(D d, V even, V odd, T* p) {
    const auto lo = hn::ShiftRight<16>(RoundedBF16Bits(d, even));
#if HWY_TARGET == HWY_SCALAR
    StoreU16(d, lo, p);
    StoreU16(d, hn::ShiftRight<16>(RoundedBF16Bits(d, odd)), p + 1);
#else
    const hn::Repartition<uint16_t, D> du16;
    const auto hi = RoundedBF16Bits(d, odd);
    hn::StoreU(hn::OddEven(hn::BitCast(du16, hi), hn::BitCast(du16, lo)), du16,
               p);
#endif
  }
};

#if HWY_TARGET == HWY_AVX3
// AVX-512 BF16 (Zen 4, Cooper Lake and later) rounds a pair of vectors to
// bfloat16 in one instruction, but flushes subnormal results to zero: a pair
// holding one takes the integer rounding instead. Lanes stay in order.
struct BF16HwIO {
  using T = uint16_t;
  static constexpr int kForward = BF16IO::kForward;
  static constexpr int kBackward = BF16IO::kBackward;
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Load2(D d, const T* p, V& a, V& b) {
    a = hn::BitCast(d, hn::ShiftLeft<16>(LoadU16(d, p)));
    b = hn::BitCast(d, hn::ShiftLeft<16>(LoadU16(d, p + hn::Lanes(d))));
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Store2(D d, V a, V b, T* p) {
    constexpr int kSubnormal = 0x20;  // vfpclassps category
    if (HWY_UNLIKELY((_mm512_fpclass_ps_mask(a.raw, kSubnormal) |
                      _mm512_fpclass_ps_mask(b.raw, kSubnormal)) != 0)) {
      StoreU16(d, hn::ShiftRight<16>(RoundedBF16Bits(d, a)), p);
      StoreU16(d, hn::ShiftRight<16>(RoundedBF16Bits(d, b)), p + hn::Lanes(d));
      return;
    }
    // a to the lower half, b to the upper. Assembly, because the intrinsic
    // would need the whole kernel compiled for AVX-512 BF16.
    __m512i packed;
    asm("vcvtne2ps2bf16 %2, %1, %0" : "=v"(packed) : "v"(b.raw), "v"(a.raw));
    _mm512_storeu_si512(p, packed);
  }
};
#endif

#if MISH_HW_F16
// binary16: with F16C (x86) or Arm, one conversion instruction per vector.
struct F16IO {
  using T = uint16_t;
  static constexpr int kForward = 4, kBackward = 5;
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Load2(D d, const T* p, V& a, V& b) {
    a = LoadF16(d, p);
    b = LoadF16(d, p + hn::Lanes(d));
  }
  template <class D, class V = hn::Vec<D>>
  static HWY_INLINE void Store2(D d, V a, V b, T* p) {
    StoreF16(d, a, p);
    StoreF16(d, b, p + hn::Lanes(d));
  }
};
#endif

// Applies Op to 2N elements: out = Op(x), times dy when kWithDy.
template <class Op, class IO, bool kWithDy, class D, typename T>
HWY_INLINE void Pair(D d, const T* x, const T* dy, T* out) {
  hn::Vec<D> x0, x1;
  IO::Load2(d, x, x0, x1);
  auto g0 = Op::Main(d, x0);
  auto g1 = Op::Main(d, x1);
  if (HWY_UNLIKELY(AnyTail(d, MaxBits(d, x0, x1)))) {
    g0 = Op::Fix(d, x0, g0);
    g1 = Op::Fix(d, x1, g1);
  }
  if constexpr (kWithDy) {
    hn::Vec<D> dy0, dy1;
    IO::Load2(d, dy, dy0, dy1);
    g0 = hn::Mul(dy0, g0);
    g1 = hn::Mul(dy1, g1);
  }
  IO::Store2(d, g0, g1, out);
}

// Runs Op over n elements: blocks of several vector pairs with one test for
// tail lanes, so that independent exp chains overlap without a branch
// between them; then pairs of vectors; then a zero-padded copy of the
// remainder, so that nothing is read or written past n.
template <template <int> class Op, class IO, bool kWithDy, typename T>
HWY_INLINE void Run(const T* x, const T* dy, T* out, size_t n) {
  using OpT = Op<kWithDy ? IO::kBackward : IO::kForward>;
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  // Pairs per block. Without FMA each polynomial step is a multiply and a
  // dependent add, so the chains are twice as long and more of them must be
  // in flight (mish-bench-cpu on SSE4: forward 1.2x faster with 4 pairs than
  // with 2; the backward, with more live values, peaks at 3).
#if HWY_NATIVE_FMA
  constexpr size_t kPairs = 2;
#else
  constexpr size_t kPairs = kWithDy ? 3 : 4;
#endif
  size_t i = 0;
  for (; i + 2 * kPairs * N <= n; i += 2 * kPairs * N) {
    hn::Vec<decltype(d)> xv[2 * kPairs], g[2 * kPairs];
    for (size_t j = 0; j < kPairs; ++j) {
      IO::Load2(d, x + i + 2 * j * N, xv[2 * j], xv[2 * j + 1]);
    }
    for (size_t j = 0; j < 2 * kPairs; ++j) g[j] = OpT::Main(d, xv[j]);
    auto bits = MaxBits(d, xv[0], xv[1]);
    for (size_t j = 1; j < kPairs; ++j) {
      bits = hn::Max(bits, MaxBits(d, xv[2 * j], xv[2 * j + 1]));
    }
    if (HWY_UNLIKELY(AnyTail(d, bits))) {
      for (size_t j = 0; j < 2 * kPairs; ++j) g[j] = OpT::Fix(d, xv[j], g[j]);
    }
    if constexpr (kWithDy) {
      for (size_t j = 0; j < kPairs; ++j) {
        hn::Vec<decltype(d)> dy0, dy1;
        IO::Load2(d, dy + i + 2 * j * N, dy0, dy1);
        g[2 * j] = hn::Mul(dy0, g[2 * j]);
        g[2 * j + 1] = hn::Mul(dy1, g[2 * j + 1]);
      }
    }
    for (size_t j = 0; j < kPairs; ++j) {
      IO::Store2(d, g[2 * j], g[2 * j + 1], out + i + 2 * j * N);
    }
  }
  for (; i + 2 * N <= n; i += 2 * N) {
    Pair<OpT, IO, kWithDy>(d, x + i, kWithDy ? dy + i : dy, out + i);
  }
  if (i == n) return;
  constexpr size_t kMax = 2 * HWY_MAX_BYTES / sizeof(float);
  T bx[kMax] = {}, bdy[kMax] = {}, bout[kMax];
  const size_t rest = n - i;
  memcpy(bx, x + i, rest * sizeof(T));
  if (kWithDy) memcpy(bdy, dy + i, rest * sizeof(T));
  Pair<OpT, IO, kWithDy>(d, bx, bdy, bout);
  memcpy(out + i, bout, rest * sizeof(T));
}

void ForwardF32(const float* x, float* y, size_t n) {
  Run<MishOp, F32IO, false>(x, static_cast<const float*>(nullptr), y, n);
}
void BackwardF32(const float* x, const float* dy, float* dx, size_t n) {
  Run<MishGradOp, F32IO, true>(x, dy, dx, n);
}
#if HWY_TARGET == HWY_AVX3
void ForwardBF16Hw(const uint16_t* x, uint16_t* y, size_t n) {
  Run<MishOp, BF16HwIO, false>(x, static_cast<const uint16_t*>(nullptr), y, n);
}
void BackwardBF16Hw(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                    size_t n) {
  Run<MishGradOp, BF16HwIO, true>(x, dy, dx, n);
}
// Highway 1.0 does not detect AVX-512 BF16.
bool HasBF16() {
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
}
#endif

// bfloat16 rounded in integer code: every target but AVX-512 with BF16.
void ForwardBF16Int(const uint16_t* x, uint16_t* y, size_t n) {
  Run<MishOp, BF16IO, false>(x, static_cast<const uint16_t*>(nullptr), y, n);
}
void BackwardBF16Int(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                     size_t n) {
  Run<MishGradOp, BF16IO, true>(x, dy, dx, n);
}
void ForwardBF16(const uint16_t* x, uint16_t* y, size_t n) {
#if HWY_TARGET == HWY_AVX3
  if (HasBF16()) return ForwardBF16Hw(x, y, n);
#endif
  ForwardBF16Int(x, y, n);
}
void BackwardBF16(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                  size_t n) {
#if HWY_TARGET == HWY_AVX3
  if (HasBF16()) return BackwardBF16Hw(x, dy, dx, n);
#endif
  BackwardBF16Int(x, dy, dx, n);
}
#if MISH_HW_F16
void ForwardF16(const uint16_t* x, uint16_t* y, size_t n) {
  Run<MishOp, F16IO, false>(x, static_cast<const uint16_t*>(nullptr), y, n);
}
void BackwardF16(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                 size_t n) {
  Run<MishGradOp, F16IO, true>(x, dy, dx, n);
}
#else
// Without hardware conversions, converting binary16 costs about as much as
// the maths (f16_tables.h): the forward reads the correctly rounded result;
// the backward reads mish'(x) and dy as float32 and converts only dx.
void ForwardF16(const uint16_t* x, uint16_t* y, size_t n) {
  const uint16_t* table = detail::F16MishTable();
  for (size_t i = 0; i < n; ++i) y[i] = table[x[i]];
}
void BackwardF16(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                 size_t n) {
  const float* grad = detail::F16GradTable();
  const float* to_float = detail::F16ToFloatTable();
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  // A block's products are formed first, so that dx may alias x or dy.
  constexpr size_t kBlock = 256;  // a multiple of every vector's lanes
  HWY_ALIGN float g[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t m = HWY_MIN(kBlock, n - i);
    for (size_t j = 0; j < m; ++j) g[j] = to_float[dy[i + j]] * grad[x[i + j]];
    size_t j = 0;
    for (; j + N <= m; j += N) StoreF16(d, hn::Load(d, g + j), dx + i + j);
    if (j == m) continue;
    for (size_t k = m; k < j + N; ++k) g[k] = 0.0f;
    uint16_t rest[HWY_MAX_BYTES / sizeof(float)];
    StoreF16(d, hn::Load(d, g + j), rest);
    memcpy(dx + i + j, rest, (m - j) * sizeof(uint16_t));
  }
}
#endif

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

detail::Kernels GetKernels() {
  return {TargetName(), ForwardF32, BackwardF32, ForwardBF16,
          BackwardBF16, ForwardF16, BackwardF16};
}

// On a CPU with AVX-512 BF16, the AVX3 kernels as an AVX-512 CPU without it
// runs them (bfloat16 rounded in integer code), so that tests and benchmarks
// cover both; elsewhere none (target null).
detail::Kernels GetKernelsWithoutBF16Hw() {
  detail::Kernels k{};
#if HWY_TARGET == HWY_AVX3
  if (HasBF16()) {
    k = GetKernels();
    k.target = "AVX3_NO_BF16";
    k.forward_bf16 = ForwardBF16Int;
    k.backward_bf16 = BackwardBF16Int;
  }
#endif
  return k;
}

}  // namespace HWY_NAMESPACE
}  // namespace mish
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "mish/mish.h"

namespace mish {
HWY_EXPORT(ForwardF32);
HWY_EXPORT(BackwardF32);
HWY_EXPORT(ForwardBF16);
HWY_EXPORT(BackwardBF16);
HWY_EXPORT(ForwardF16);
HWY_EXPORT(BackwardF16);
HWY_EXPORT(TargetName);
HWY_EXPORT(GetKernels);
HWY_EXPORT(GetKernelsWithoutBF16Hw);

// Not exported from the shared library (see mish.map): the test-only
// library (targets.cc) calls them once per target.
detail::Kernels detail::DispatchedKernels() {
  return HWY_DYNAMIC_DISPATCH(GetKernels)();
}
detail::Kernels detail::DispatchedKernelsWithoutBF16Hw() {
  return HWY_DYNAMIC_DISPATCH(GetKernelsWithoutBF16Hw)();
}
}  // namespace mish

extern "C" {

void mish_forward_f32(const float* x, float* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::ForwardF32)(x, y, n);
}
void mish_backward_f32(const float* x, const float* dy, float* dx, size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::BackwardF32)(x, dy, dx, n);
}
void mish_forward_bf16(const uint16_t* x, uint16_t* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::ForwardBF16)(x, y, n);
}
void mish_backward_bf16(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                        size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::BackwardBF16)(x, dy, dx, n);
}
void mish_forward_f16(const uint16_t* x, uint16_t* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::ForwardF16)(x, y, n);
}
void mish_backward_f16(const uint16_t* x, const uint16_t* dy, uint16_t* dx,
                       size_t n) {
  HWY_DYNAMIC_DISPATCH(mish::BackwardF16)(x, dy, dx, n);
}
const char* mish_cpu_target(void) {
  return HWY_DYNAMIC_DISPATCH(mish::TargetName)();
}

}  // extern "C"
#endif  // HWY_ONCE
