// CPU backend: our SIMD kernels through the C ABI, split across
// at::parallel_for threads (each C ABI call is single-threaded and reentrant).
#include <torch/library.h>

#include <cstdint>

#include "elementwise.hpp"
#include "mish/mish.h"
#include "parallel.hpp"

namespace mish::torch::detail {
namespace {

// At ~4 G elements/s per thread, 32K elements take ~8 us: enough to pay for
// waking a thread, small enough to split 1M elements evenly.
constexpr int64_t kGrain = int64_t{1} << 15;

template <class T>
void run(void (*kernel)(const T*, T*, size_t), const at::Tensor& x,
         const at::Tensor& y) {
  const T* px = ptr<const T>(x);
  T* py = ptr<T>(y);
  at::parallel_for(0, x.numel(), kGrain, [=](int64_t begin, int64_t end) {
    kernel(px + begin, py + begin, static_cast<size_t>(end - begin));
  });
}

template <class T>
void run(void (*kernel)(const T*, const T*, T*, size_t), const at::Tensor& x,
         const at::Tensor& dy, const at::Tensor& dx) {
  const T* px = ptr<const T>(x);
  const T* pdy = ptr<const T>(dy);
  T* pdx = ptr<T>(dx);
  at::parallel_for(0, x.numel(), kGrain, [=](int64_t begin, int64_t end) {
    kernel(px + begin, pdy + begin, pdx + begin,
           static_cast<size_t>(end - begin));
  });
}

void forward_f64(const double* x, double* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = mish_f64(x[i]);
}

void backward_f64(const double* x, const double* dy, double* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * mish_grad_f64(x[i]);
}

void forward(const at::Tensor& x, const at::Tensor& y) {
  switch (x.scalar_type()) {
    case at::kFloat:
      return run<float>(mish_forward_f32, x, y);
    case at::kBFloat16:
      return run<uint16_t>(mish_forward_bf16, x, y);
    case at::kHalf:
      return run<uint16_t>(mish_forward_f16, x, y);
    case at::kDouble:
      return run<double>(forward_f64, x, y);
    default:
      TORCH_INTERNAL_ASSERT(false, "mish: unchecked dtype ", x.scalar_type());
  }
}

void backward(const at::Tensor& x, const at::Tensor& dy, const at::Tensor& dx) {
  switch (x.scalar_type()) {
    case at::kFloat:
      return run<float>(mish_backward_f32, x, dy, dx);
    case at::kBFloat16:
      return run<uint16_t>(mish_backward_bf16, x, dy, dx);
    case at::kHalf:
      return run<uint16_t>(mish_backward_f16, x, dy, dx);
    case at::kDouble:
      return run<double>(backward_f64, x, dy, dx);
    default:
      TORCH_INTERNAL_ASSERT(false, "mish: unchecked dtype ", x.scalar_type());
  }
}

constexpr DenseKernels kCpu{forward, backward};

at::Tensor mish_cpu(const at::Tensor& self) { return mish(self, kCpu); }

at::Tensor& mish_cpu_(at::Tensor& self) { return mish_(self, kCpu); }

at::Tensor mish_backward_cpu(const at::Tensor& grad_output,
                             const at::Tensor& self) {
  return mish_backward(grad_output, self, kCpu);
}

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CPU, m) {
  m.impl("mish", mish::torch::detail::mish_cpu);
  m.impl("mish_", mish::torch::detail::mish_cpu_);
  m.impl("mish_backward", mish::torch::detail::mish_backward_cpu);
}
