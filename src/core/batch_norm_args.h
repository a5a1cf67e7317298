// Internal: the argument rules of the fused batch norm + Mish C ABI
// (mish.h's mish_bn_*), shared by every SIMD target, so that each target's
// passes refuse what the ABI refuses before they write anything.
#ifndef MISH_SRC_CORE_BATCH_NORM_ARGS_H_
#define MISH_SRC_CORE_BATCH_NORM_ARGS_H_

#include <stddef.h>
#include <stdint.h>

#include "mish/mish.h"

namespace mish::detail {

// Elements of the activations, false if they (or their bytes) overflow.
inline bool BnElements(const mish_bn_shape& s, size_t element_size,
                       size_t* total) {
  size_t bytes;
  return !__builtin_mul_overflow(s.n, s.c, total) &&
         !__builtin_mul_overflow(*total, s.hw, total) &&
         !__builtin_mul_overflow(*total, element_size, &bytes);
}

// An array of count elements: aligned, and non-null unless empty.
template <class T>
bool Usable(const T* p, size_t count) {
  return reinterpret_cast<uintptr_t>(p) % alignof(T) == 0 &&
         (p != nullptr || count == 0);
}

// The per-channel arrays, each by its member.
inline constexpr const float* mish_bn_channels::*kBnChannelArrays[] = {
    &mish_bn_channels::scale,   &mish_bn_channels::shift,
    &mish_bn_channels::mean,    &mish_bn_channels::g_dz,
    &mish_bn_channels::g_xc,    &mish_bn_channels::g_0,
    &mish_bn_channels::r_scale, &mish_bn_channels::r_mean,
    &mish_bn_channels::r_g_dz,  &mish_bn_channels::r_g_xc,
    &mish_bn_channels::r_g_0};

enum class BnPass { kForward, kBackwardSums, kBackward };

// The per-channel arrays a pass reads for c channels: scale and shift, mean
// from the backward sums on, the gradient factors in the backward; a
// normalized residual (r_scale set) brings its own for the backward (the
// sums pass checks r_mean itself: only sum_dz_rc needs it), a plain one
// none.
inline bool BnChannelsValid(const mish_bn_channels& p, size_t c, BnPass pass) {
  const bool backward = pass == BnPass::kBackward;
  const bool input = Usable(p.scale, c) && Usable(p.shift, c) &&
                     (pass == BnPass::kForward || Usable(p.mean, c)) &&
                     (!backward || (Usable(p.g_dz, c) && Usable(p.g_xc, c) &&
                                    Usable(p.g_0, c)));
  if (p.r_scale == nullptr) {
    return input && p.r_mean == nullptr && p.r_g_dz == nullptr &&
           p.r_g_xc == nullptr && p.r_g_0 == nullptr;
  }
  return input && Usable(p.r_scale, c) && Usable(p.r_mean, 0) &&
         (!backward || (Usable(p.r_mean, c) && Usable(p.r_g_dz, c) &&
                        Usable(p.r_g_xc, c) && Usable(p.r_g_0, c)));
}

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_BATCH_NORM_ARGS_H_
