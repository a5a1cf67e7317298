// Array kernels, compiled once per SIMD target, and the C ABI that
// dispatches to the best target this CPU supports.

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/core/kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/core/half-inl.h"
#include "src/core/mish-inl.h"
#include "src/core/targets.h"

HWY_BEFORE_NAMESPACE();
namespace mish {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Runs fn(x, dy, out) on whole vectors of N elements, then once more on a
// zero-padded copy of the remainder so nothing is read or written past n.
// dy is null for the forward kernels.
template <typename T, class Fn>
HWY_INLINE void ForEachVector(size_t N, const T* x, const T* dy, T* out,
                              size_t n, Fn fn) {
  size_t i = 0;
  // Two vectors per iteration: gives the scheduler independent exp chains.
  for (; i + 2 * N <= n; i += 2 * N) {
    fn(x + i, dy ? dy + i : nullptr, out + i);
    fn(x + i + N, dy ? dy + i + N : nullptr, out + i + N);
  }
  for (; i + N <= n; i += N) fn(x + i, dy ? dy + i : nullptr, out + i);
  if (i == n) return;
  constexpr size_t kMax = HWY_MAX_BYTES / sizeof(float);
  T bx[kMax] = {}, bdy[kMax] = {}, bout[kMax];
  const size_t rest = n - i;
  memcpy(bx, x + i, rest * sizeof(T));
  if (dy) memcpy(bdy, dy + i, rest * sizeof(T));
  fn(bx, dy ? bdy : nullptr, bout);
  memcpy(out + i, bout, rest * sizeof(T));
}

void ForwardF32(const float* x, float* y, size_t n) {
  const hn::ScalableTag<float> d;
  ForEachVector(hn::Lanes(d), x, static_cast<const float*>(nullptr), y, n,
                [d](const float* xi, const float*, float* yi) {
                  hn::StoreU(Mish(d, hn::LoadU(d, xi)), d, yi);
                });
}

void BackwardF32(const float* x, const float* dy, float* dx, size_t n) {
  const hn::ScalableTag<float> d;
  ForEachVector(hn::Lanes(d), x, dy, dx, n,
                [d](const float* xi, const float* dyi, float* dxi) {
                  const auto g = MishGrad(d, hn::LoadU(d, xi));
                  hn::StoreU(hn::Mul(hn::LoadU(d, dyi), g), d, dxi);
                });
}

// 16-bit storage: widen to float32, compute, round once.
#define MISH_DEFINE_16BIT(Name, Load, Store)                                  \
  void Forward##Name(const uint16_t* x, uint16_t* y, size_t n) {              \
    const hn::ScalableTag<float> d;                                           \
    ForEachVector(hn::Lanes(d), x, static_cast<const uint16_t*>(nullptr), y,  \
                  n, [d](const uint16_t* xi, const uint16_t*, uint16_t* yi) { \
                    Store(d, Mish(d, Load(d, xi)), yi);                       \
                  });                                                         \
  }                                                                           \
  void Backward##Name(const uint16_t* x, const uint16_t* dy, uint16_t* dx,    \
                      size_t n) {                                             \
    const hn::ScalableTag<float> d;                                           \
    ForEachVector(                                                            \
        hn::Lanes(d), x, dy, dx, n,                                           \
        [d](const uint16_t* xi, const uint16_t* dyi, uint16_t* dxi) {         \
          const auto g = MishGrad(d, Load(d, xi));                            \
          Store(d, hn::Mul(Load(d, dyi), g), dxi);                            \
        });                                                                   \
  }
MISH_DEFINE_16BIT(BF16, LoadBF16, StoreBF16)
MISH_DEFINE_16BIT(F16, LoadF16, StoreF16)
#undef MISH_DEFINE_16BIT

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

detail::Kernels GetKernels() {
  return {TargetName(), ForwardF32, BackwardF32, ForwardBF16,
          BackwardBF16, ForwardF16, BackwardF16};
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

std::vector<detail::Kernels> detail::AvailableKernels() {
  std::vector<Kernels> all;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    all.push_back(HWY_DYNAMIC_DISPATCH(GetKernels)());
  }
  hwy::SetSupportedTargetsForTest(0);
  return all;
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
