// The fused batch norm + Mish's arguments as the C ABIs take them (mish.h's
// mish_bn_*, mish_cuda.h's mish_cuda_bn_*): raw pointers, and the
// per-channel arrays in one mish_bn_channels. The CPU and CUDA adapters'
// shared part.
#ifndef MISH_SRC_TORCH_BATCH_NORM_MISH_C_ABI_HPP_
#define MISH_SRC_TORCH_BATCH_NORM_MISH_C_ABI_HPP_

#include <ATen/core/Tensor.h>

#include "batch_norm_mish.hpp"
#include "mish/mish.h"

namespace mish::torch::detail {

// float32 data, null for an undefined tensor.
inline const float* floats(const at::Tensor& t) {
  return t.defined() ? t.data_ptr<float>() : nullptr;
}

// Storage as S (float, or uint16_t for 16-bit types), null if undefined.
template <class S>
S* data(const at::Tensor& t) {
  return t.defined() ? static_cast<S*>(t.data_ptr()) : nullptr;
}

// grad and r_grad: the backward's (r_grad's undefined for a plain residual).
inline mish_bn_channels c_channels(const BnChannels& ch,
                                   const BnInputGrad* grad,
                                   const BnInputGrad* r_grad) {
  mish_bn_channels p{};
  p.scale = floats(ch.scale);
  p.shift = floats(ch.shift);
  p.mean = floats(ch.mean);
  p.r_scale = floats(ch.r_scale);
  p.r_mean = floats(ch.r_mean);
  if (grad != nullptr) {
    p.g_dz = floats(grad->g_dz);
    p.g_xc = floats(grad->g_xc);
    p.g_0 = floats(grad->g_0);
    p.r_g_dz = floats(r_grad->g_dz);
    p.r_g_xc = floats(r_grad->g_xc);
    p.r_g_0 = floats(r_grad->g_0);
  }
  return p;
}

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_BATCH_NORM_MISH_C_ABI_HPP_
