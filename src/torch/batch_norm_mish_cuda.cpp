// CUDA passes of the fused batch norm + Mish: our kernels through the C ABI
// of mish_cuda.h, on the current stream of the tensors' device. float64
// (which the kernels do not take) is refused with a clear error.
#include <ATen/ATen.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstdint>
#include <type_traits>

#include "batch_norm_mish.hpp"
#include "batch_norm_mish_c_abi.hpp"
#include "dtypes.hpp"
#include "mish/mish_cuda.h"
#include "src/cuda/batch_norm_passes.h"

namespace mish::torch::detail {
namespace {

mish_bn_shape c_shape(const BnShape& s, const at::Tensor& x) {
  return {static_cast<size_t>(x.size(0)), static_cast<size_t>(x.size(1)),
          static_cast<size_t>(x.size(2) * x.size(3)), s.channels_last ? 1 : 0};
}

// fn(functions, storage tag) for x's dtype, on x's device and stream.
template <class Fn>
void dispatch(const at::Tensor& x, Fn fn) {
  const c10::cuda::CUDAGuard device(x.device());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream().stream();
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    if constexpr (std::is_same_v<T, double>) {
      TORCH_CHECK(false,
                  "batch_norm_mish: CUDA tensors must be float32, bfloat16 or "
                  "float16, got ",
                  x.scalar_type());
    } else if constexpr (std::is_same_v<T, float>) {
      fn(mish::detail::kCudaBnF32, static_cast<float*>(nullptr), stream);
    } else if constexpr (std::is_same_v<T, c10::BFloat16>) {
      fn(mish::detail::kCudaBnBf16, static_cast<uint16_t*>(nullptr), stream);
    } else {
      fn(mish::detail::kCudaBnF16, static_cast<uint16_t*>(nullptr), stream);
    }
  });
}

void statistics(const BnShape& s, const at::Tensor& x, const at::Tensor& k,
                const at::Tensor& sum, const at::Tensor& sum_sq) {
  dispatch(x, [&](const auto& f, auto tag, cudaStream_t stream) {
    using S = std::remove_pointer_t<decltype(tag)>;
    C10_CUDA_CHECK(f.statistics(data<const S>(x), floats(k), c_shape(s, x),
                                sum.data_ptr<double>(),
                                sum_sq.data_ptr<double>(), stream));
  });
}

void forward(const BnShape& s, const at::Tensor& x, const at::Tensor& r,
             const BnChannels& ch, const at::Tensor& y) {
  dispatch(x, [&](const auto& f, auto tag, cudaStream_t stream) {
    using S = std::remove_pointer_t<decltype(tag)>;
    C10_CUDA_CHECK(f.forward(data<const S>(x), data<const S>(r),
                             c_channels(ch, nullptr, nullptr), data<S>(y),
                             c_shape(s, x), stream));
  });
}

void backward_sums(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
                   const at::Tensor& r, const BnChannels& ch,
                   const at::Tensor& sum_dz, const at::Tensor& sum_dz_xc,
                   const at::Tensor& sum_dz_rc, const at::Tensor& /*scratch*/) {
  dispatch(x, [&](const auto& f, auto tag, cudaStream_t stream) {
    using S = std::remove_pointer_t<decltype(tag)>;
    C10_CUDA_CHECK(f.backward_sums(
        data<const S>(dy), data<const S>(x), data<const S>(r),
        c_channels(ch, nullptr, nullptr), c_shape(s, x), data<double>(sum_dz),
        data<double>(sum_dz_xc), data<double>(sum_dz_rc), stream));
  });
}

void backward(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
              const at::Tensor& r, const BnChannels& ch,
              const BnInputGrad& grad, const BnInputGrad& r_grad,
              const at::Tensor& dx, const at::Tensor& dr) {
  dispatch(x, [&](const auto& f, auto tag, cudaStream_t stream) {
    using S = std::remove_pointer_t<decltype(tag)>;
    C10_CUDA_CHECK(f.backward(data<const S>(dy), data<const S>(x),
                              data<const S>(r), c_channels(ch, &grad, &r_grad),
                              data<S>(dx), data<S>(dr), c_shape(s, x), stream));
  });
}

constexpr BnMishKernels kCuda{statistics, forward, backward_sums, backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CUDA, m) {
  mish::torch::detail::register_batch_norm_mish<mish::torch::detail::kCuda>(m);
}
