// mish on the CPU: our SIMD kernels through the C ABI, split across
// at::parallel_for threads (each C ABI call is single-threaded and reentrant).
#include <cstdint>

#include "dtypes.hpp"
#include "mish.hpp"
#include "mish/mish.h"
#include "parallel.hpp"

namespace mish::torch::detail {
namespace {

// At ~4 G elements/s per thread, 32K elements take ~8 us: enough to pay for
// waking a thread, small enough to split 1M elements evenly.
constexpr int64_t kGrain = int64_t{1} << 15;

// The C ABI per dtype (16-bit types as their bit patterns).
void forward(const float* x, float* y, size_t n) { mish_forward_f32(x, y, n); }

void forward(const double* x, double* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = mish_f64(x[i]);
}

void forward(const c10::BFloat16* x, c10::BFloat16* y, size_t n) {
  mish_forward_bf16(reinterpret_cast<const uint16_t*>(x),
                    reinterpret_cast<uint16_t*>(y), n);
}

void forward(const c10::Half* x, c10::Half* y, size_t n) {
  mish_forward_f16(reinterpret_cast<const uint16_t*>(x),
                   reinterpret_cast<uint16_t*>(y), n);
}

void backward(const float* x, const float* dy, float* dx, size_t n) {
  mish_backward_f32(x, dy, dx, n);
}

void backward(const double* x, const double* dy, double* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * mish_grad_f64(x[i]);
}

void backward(const c10::BFloat16* x, const c10::BFloat16* dy,
              c10::BFloat16* dx, size_t n) {
  mish_backward_bf16(reinterpret_cast<const uint16_t*>(x),
                     reinterpret_cast<const uint16_t*>(dy),
                     reinterpret_cast<uint16_t*>(dx), n);
}

void backward(const c10::Half* x, const c10::Half* dy, c10::Half* dx,
              size_t n) {
  mish_backward_f16(reinterpret_cast<const uint16_t*>(x),
                    reinterpret_cast<const uint16_t*>(dy),
                    reinterpret_cast<uint16_t*>(dx), n);
}

void forward(const at::Tensor& x, const at::Tensor& y) {
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    const T* px = ptr<const T>(x);
    T* py = ptr<T>(y);
    at::parallel_for(0, x.numel(), kGrain, [=](int64_t begin, int64_t end) {
      forward(px + begin, py + begin, static_cast<size_t>(end - begin));
    });
  });
}

void backward(const at::Tensor& x, const at::Tensor& dy, const at::Tensor& dx) {
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    const T* px = ptr<const T>(x);
    const T* pdy = ptr<const T>(dy);
    T* pdx = ptr<T>(dx);
    at::parallel_for(0, x.numel(), kGrain, [=](int64_t begin, int64_t end) {
      backward(px + begin, pdy + begin, pdx + begin,
               static_cast<size_t>(end - begin));
    });
  });
}

constexpr DenseKernels kCpu{forward, backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CPU, m) {
  mish::torch::detail::register_mish<mish::torch::detail::kCpu>(m);
}
