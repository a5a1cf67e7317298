// C++ interface to the mish kernels: overloads in namespace mish over the C
// ABI of mish.h. Arrays are pointer + size or any contiguous container.
#ifndef MISH_MISH_HPP_
#define MISH_MISH_HPP_

#include <stddef.h>
#include <stdint.h>

#include <iterator>
#include <stdexcept>

#include "mish/mish.h"

namespace mish {

inline float mish(float x) noexcept { return mish_f32(x); }
inline double mish(double x) noexcept { return mish_f64(x); }
// d mish / dx.
inline float grad(float x) noexcept { return mish_grad_f32(x); }
inline double grad(double x) noexcept { return mish_grad_f64(x); }

// Element formats of 16-bit storage (raw bit patterns in uint16_t).
enum class Half { kBFloat16, kFloat16 };

// threads == 1: the calling thread only; otherwise the _mt kernels, with
// threads <= 0 meaning all hardware threads.
inline void forward(const float* x, float* y, size_t n, int threads = 1) {
  if (threads == 1) {
    mish_forward_f32(x, y, n);
  } else {
    mish_forward_f32_mt(x, y, n, threads);
  }
}

inline void backward(const float* x, const float* dy, float* dx, size_t n,
                     int threads = 1) {
  if (threads == 1) {
    mish_backward_f32(x, dy, dx, n);
  } else {
    mish_backward_f32_mt(x, dy, dx, n, threads);
  }
}

inline void forward(Half h, const uint16_t* x, uint16_t* y, size_t n) {
  (h == Half::kBFloat16 ? mish_forward_bf16 : mish_forward_f16)(x, y, n);
}

inline void backward(Half h, const uint16_t* x, const uint16_t* dy,
                     uint16_t* dx, size_t n) {
  (h == Half::kBFloat16 ? mish_backward_bf16 : mish_backward_f16)(x, dy, dx,
                                                                  n);
}

// Contiguous float containers (std::vector<float>, std::array, spans...).
// Throws std::invalid_argument when the sizes differ.
template <class In, class Out>
void forward(const In& x, Out& y, int threads = 1) {
  if (std::size(x) != std::size(y)) {
    throw std::invalid_argument("mish::forward: x and y differ in size");
  }
  forward(std::data(x), std::data(y), std::size(x), threads);
}

template <class In, class Grad, class Out>
void backward(const In& x, const Grad& dy, Out& dx, int threads = 1) {
  if (std::size(x) != std::size(dy) || std::size(x) != std::size(dx)) {
    throw std::invalid_argument("mish::backward: x, dy and dx differ in size");
  }
  backward(std::data(x), std::data(dy), std::data(dx), std::size(x), threads);
}

// The SIMD target chosen for this CPU, e.g. "AVX3".
inline const char* cpu_target() noexcept { return mish_cpu_target(); }

}  // namespace mish

#endif  // MISH_MISH_HPP_
