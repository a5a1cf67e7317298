// The dtypes the operators take, written once. Every dtype check and every
// per-dtype choice of a kernel goes through Dtypes.
#ifndef MISH_SRC_TORCH_DTYPES_HPP_
#define MISH_SRC_TORCH_DTYPES_HPP_

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>
#include <c10/util/Exception.h>

#include <sstream>
#include <string>

namespace mish::torch::detail {

// A dtype as its C++ type (float, double, c10::BFloat16, c10::Half).
template <class T>
struct Dtype {
  using type = T;
};

template <at::ScalarType... kTypes>
struct DtypeList {
  static bool contains(at::ScalarType type) {
    return ((type == kTypes) || ...);
  }

  // fn(Dtype<T>{}) for the C++ type T of `type`, which must be listed.
  template <class Fn>
  static void visit(at::ScalarType type, Fn&& fn) {
    const bool found =
        ((type == kTypes &&
          (fn(Dtype<c10::impl::ScalarTypeToCPPTypeT<kTypes>>{}), true)) ||
         ...);
    TORCH_INTERNAL_ASSERT(found, "mish: unchecked dtype ", type);
  }

  // "Float, Double, BFloat16 or Half", for errors.
  static std::string names() {
    std::ostringstream out;
    int i = 0;
    constexpr int kLast = sizeof...(kTypes) - 1;
    ((out << (i == 0 ? "" : i == kLast ? " or " : ", ") << kTypes, ++i), ...);
    return out.str();
  }
};

using Dtypes = DtypeList<at::kFloat, at::kDouble, at::kBFloat16, at::kHalf>;

// op: arg must have one of Dtypes.
inline void check_dtype(const at::Tensor& t, const char* op, const char* arg) {
  TORCH_CHECK(Dtypes::contains(t.scalar_type()), op, ": ", arg,
              " must be a floating-point tensor (", Dtypes::names(), "), got ",
              t.scalar_type());
}

}  // namespace mish::torch::detail

#endif  // MISH_SRC_TORCH_DTYPES_HPP_
