// Division of 64-bit indices by a divisor fixed at launch: a multiply-high,
// two shifts and two adds instead of a ~70-instruction 64-bit division.
// Granlund and Montgomery's round-up method: with l = ceil(log2 d) and
// m = floor(2^64 (2^l - d) / d) + 1, n / d = (t + ((n - t) >> 1)) >> (l - 1)
// where t = mulhi(m, n), exact for every n < 2^64 (shifts adjusted for l = 0).
#ifndef MISH_SRC_CUDA_DIVIDER_CUH_
#define MISH_SRC_CUDA_DIVIDER_CUH_

#include <cstdint>

#include "src/cuda/mish_math.cuh"

namespace mish::cuda {

__extension__ using Uint128 = unsigned __int128;

class Divider {
 public:
  // d >= 1.
  explicit Divider(uint64_t d) : d_(d) {
    int l = 0;
    while (l < 64 && (uint64_t{1} << l) < d) ++l;
    const Uint128 two_l = Uint128{1} << l;
    m_ = static_cast<uint64_t>(((two_l - d) << 64) / d) + 1;
    shift1_ = l < 1 ? l : 1;
    shift2_ = l > 1 ? l - 1 : 0;
  }

  MISH_HD uint64_t Div(uint64_t n) const {
#ifdef __CUDA_ARCH__
    const uint64_t t = __umul64hi(m_, n);
#else
    const auto t = static_cast<uint64_t>((Uint128{m_} * n) >> 64);
#endif
    return (t + ((n - t) >> shift1_)) >> shift2_;
  }

  MISH_HD uint64_t divisor() const { return d_; }

 private:
  uint64_t d_;
  uint64_t m_;
  int shift1_;
  int shift2_;
};

}  // namespace mish::cuda

#endif  // MISH_SRC_CUDA_DIVIDER_CUH_
