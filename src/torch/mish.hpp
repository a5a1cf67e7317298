// The mish operators (mish, mish_, mish_backward): the logic every backend
// shares (argument checks, layouts, empty tensors) and the registration of a
// backend, which only supplies kernels over dense memory. A backend's kernels
// for dispatch key K live in mish_<k>.cpp. Sizes and
// strides are read through the sym_ accessors: under torch.compile the Meta
// backend runs this logic on symbolic shapes.
#ifndef MISH_SRC_TORCH_MISH_HPP_
#define MISH_SRC_TORCH_MISH_HPP_

#include <ATen/core/Tensor.h>
#include <torch/library.h>

namespace mish::torch::detail {

// Kernels over n = x.numel() elements laid out alike in memory: every tensor
// is non-overlapping and dense with the same strides, so element i of one is
// element i of the others. numel() > 0. y (dx) may be x (dy).
struct DenseKernels {
  void (*forward)(const at::Tensor& x, const at::Tensor& y);
  void (*backward)(const at::Tensor& x, const at::Tensor& dy,
                   const at::Tensor& dx);
};

// The data of a dense tensor as T, which has the size of its dtype (uint16_t
// for bfloat16 and float16, as the C ABI takes them).
template <class T>
T* ptr(const at::Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

at::Tensor mish(const at::Tensor& self, const DenseKernels& kernels);
at::Tensor& mish_(at::Tensor& self, const DenseKernels& kernels);
at::Tensor mish_backward(const at::Tensor& grad_output, const at::Tensor& self,
                         const DenseKernels& kernels);

// Registers the three operators for a backend's dispatch key:
// TORCH_LIBRARY_IMPL(mish, CPU, m) { register_mish<kCpu>(m); }.
template <const DenseKernels& kKernels>
void register_mish(::torch::Library& m) {
  m.impl("mish", [](const at::Tensor& self) { return mish(self, kKernels); });
  m.impl("mish_",
         [](at::Tensor& self) -> at::Tensor& { return mish_(self, kKernels); });
  m.impl("mish_backward",
         [](const at::Tensor& grad_output, const at::Tensor& self) {
           return mish_backward(grad_output, self, kKernels);
         });
}

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_MISH_HPP_
