// The fused batch norm + Mish passes on the device (float32, bfloat16 and
// float16), checked as the CPU's are (tests/core/batch_norm_check.h: the
// float64 reference of the same z, formed with fused multiply-adds, and
// contract.h's bounds): each pass runs through a host wrapper that uploads
// its inputs at the host arrays' misalignment between guard bytes, and
// downloads its outputs. NCHW and channels-last, odd shapes, and arguments
// the functions must refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "mish/mish.h"
#include "mish/mish_cuda.h"
#include "src/core/batch_norm_args.h"
#include "src/core/targets.h"
#include "src/cuda/batch_norm_passes.h"
#include "tests/core/batch_norm_check.h"
#include "tests/cuda/device.h"

namespace mish::test {
namespace {

class CudaBatchNormMish : public GpuTest {};

// A host array on the device (null stays null), `offset` elements past an
// aligned start as the host array is: uploaded from `from`, or downloaded
// to `to`.
template <class T>
struct OnDevice {
  std::unique_ptr<DeviceArray<T>> array;
  T* to = nullptr;
  size_t count = 0;
  T* device = nullptr;
  bool ok = true;

  OnDevice(const T* from, T* out, size_t n) : to(out), count(n) {
    const T* host = from != nullptr ? from : out;
    if (host == nullptr) return;
    const size_t offset = reinterpret_cast<uintptr_t>(host) / sizeof(T) % 4;
    array = std::make_unique<DeviceArray<T>>(n, offset);
    device = array->data();
    ok = array->ok() && (from == nullptr || array->Upload(from) == cudaSuccess);
  }
  // Copies the result back; false if that failed or a guard was hit.
  bool Download() {
    if (array == nullptr) return true;
    const std::vector<T> out = array->Download();
    if (out.size() != count) return false;
    std::copy(out.begin(), out.end(), to);
    return array->GuardsIntact();
  }
};

template <class T>
OnDevice<T> In(const T* host, size_t count) {
  return OnDevice<T>(host, nullptr, count);
}

template <class T>
OnDevice<T> Out(T* host, size_t count) {
  return OnDevice<T>(nullptr, host, count);
}

// The per-channel arrays on the device.
struct DeviceChannels {
  std::vector<OnDevice<float>> arrays;
  mish_bn_channels ch{};
  bool ok = true;

  DeviceChannels(const mish_bn_channels& host, size_t c) {
    arrays.reserve(std::size(detail::kBnChannelArrays));
    for (const auto member : detail::kBnChannelArrays) {
      arrays.push_back(In(host.*member, c));
      ch.*member = arrays.back().device;
      ok = ok && arrays.back().ok;
    }
  }
};

size_t Elements(const mish_bn_shape& s) { return s.n * s.c * s.hw; }

// Host wrappers of kApi's passes, with the CPU passes' signatures.
template <class S, const detail::CudaBnPasses<S>& kApi>
struct OnHost {
  static int Statistics(const S* x, const float* k, mish_bn_shape s,
                        double* sum, double* sum_sq) {
    auto dx = In(x, Elements(s));
    auto dk = In(k, s.c);
    auto dsum = Out(sum, s.c);
    auto dsq = Out(sum_sq, s.c);
    if (!(dx.ok && dk.ok && dsum.ok && dsq.ok) ||
        kApi.statistics(dx.device, dk.device, s, dsum.device, dsq.device,
                        nullptr) != cudaSuccess) {
      return 1;
    }
    return dsum.Download() && dsq.Download() ? 0 : 1;
  }

  static int Forward(const S* x, const S* r, mish_bn_channels ch, S* y,
                     mish_bn_shape s) {
    auto dx = In(x, Elements(s));
    auto dr = In(r, Elements(s));
    auto dy = Out(y, Elements(s));
    DeviceChannels dch(ch, s.c);
    if (!(dx.ok && dr.ok && dy.ok && dch.ok) ||
        kApi.forward(dx.device, dr.device, dch.ch, dy.device, s, nullptr) !=
            cudaSuccess) {
      return 1;
    }
    return dy.Download() ? 0 : 1;
  }

  static int BackwardSums(const S* dy, const S* x, const S* r,
                          mish_bn_channels ch, mish_bn_shape s, double* sum_dz,
                          double* sum_dz_xc, double* sum_dz_rc) {
    auto ddy = In(dy, Elements(s));
    auto dx = In(x, Elements(s));
    auto dr = In(r, Elements(s));
    DeviceChannels dch(ch, s.c);
    auto a = Out(sum_dz, s.c);
    auto b = Out(sum_dz_xc, s.c);
    auto c = Out(sum_dz_rc, s.c);
    if (!(ddy.ok && dx.ok && dr.ok && dch.ok && a.ok && b.ok && c.ok) ||
        kApi.backward_sums(ddy.device, dx.device, dr.device, dch.ch, s,
                           a.device, b.device, c.device,
                           nullptr) != cudaSuccess) {
      return 1;
    }
    return a.Download() && b.Download() && c.Download() ? 0 : 1;
  }

  static int Backward(const S* dy, const S* x, const S* r, mish_bn_channels ch,
                      S* dx, S* dr, mish_bn_shape s) {
    auto ddy = In(dy, Elements(s));
    auto dxin = In(x, Elements(s));
    auto drin = In(r, Elements(s));
    DeviceChannels dch(ch, s.c);
    auto ddx = Out(dx, Elements(s));
    auto ddr = Out(dr, Elements(s));
    if (!(ddy.ok && dxin.ok && drin.ok && dch.ok && ddx.ok && ddr.ok) ||
        kApi.backward(ddy.device, dxin.device, drin.device, dch.ch, ddx.device,
                      ddr.device, s, nullptr) != cudaSuccess) {
      return 1;
    }
    return ddx.Download() && ddr.Download() ? 0 : 1;
  }

  static constexpr detail::BnPasses<S> kPasses{Statistics, Forward,
                                               BackwardSums, Backward};
};

// A thread adds up to 64 float32 terms, then 8 rows and 5 warp shuffles
// (src/cuda/batch_norm_mish.cu), each product rounded once more.
constexpr double kCudaSumRelative = (64 + 8 + 5 + 1) * 0x1p-24;

TEST_F(CudaBatchNormMish, MatchesReference) {
  const mish_bn_shape shapes[] = {
      {2, 3, 49, 0}, {4, 16, 64, 0},    {1, 7, 1, 0},     {3, 5, 33, 0},
      {2, 3, 49, 1}, {4, 16, 64, 1},    {9, 37, 1, 1},    {2, 70, 15, 1},
      {1, 1, 1, 0},  {16, 64, 1024, 0}, {16, 64, 1024, 1}};
  const bn_check::Storage types[] = {
      {nullptr}, {&contract::kBf16}, {&contract::kF16}};
  for (const mish_bn_shape& s : shapes) {
    for (const bn_check::Storage& type : types) {
      for (const bn_check::Residual mode :
           {bn_check::Residual::kNone, bn_check::Residual::kPlain,
            bn_check::Residual::kNormalized}) {
        bn_check::Case k = bn_check::RandomCase(s, mode, type);
        k.fma = true;  // fmaf on the device
        for (const size_t offset : {0, 1}) {
          const std::string error =
              type.format == nullptr
                  ? bn_check::Check(OnHost<float, detail::kCudaBnF32>::kPasses,
                                    k, offset, kCudaSumRelative)
              : type.format == &contract::kBf16
                  ? bn_check::Check(
                        OnHost<uint16_t, detail::kCudaBnBf16>::kPasses, k,
                        offset, kCudaSumRelative)
                  : bn_check::Check(
                        OnHost<uint16_t, detail::kCudaBnF16>::kPasses, k,
                        offset, kCudaSumRelative);
          ASSERT_EQ(error, "");
        }
      }
    }
  }
}

TEST_F(CudaBatchNormMish, RefusesBadArguments) {
  DeviceArray<float> x(64), c(4);
  DeviceArray<double> sum(4);
  ASSERT_TRUE(x.ok() && c.ok() && sum.ok());
  const mish_bn_shape ok{2, 4, 8, 0};
  mish_bn_channels ch{};
  ch.scale = ch.shift = ch.mean = ch.g_dz = ch.g_xc = ch.g_0 = c.data();
  EXPECT_EQ(mish_cuda_bn_statistics_f32(x.data(), nullptr, ok, sum.data(),
                                        sum.data(), nullptr),
            cudaErrorInvalidValue);
  mish_bn_channels no_scale = ch;
  no_scale.scale = nullptr;
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, no_scale, x.data(), ok,
                                     nullptr),
            cudaErrorInvalidValue);
  // A residual's gradient without the residual.
  EXPECT_EQ(mish_cuda_bn_backward_f32(x.data(), x.data(), nullptr, ch, x.data(),
                                      x.data(), ok, nullptr),
            cudaErrorInvalidValue);
  // A normalized residual without the residual, or without its arrays.
  mish_bn_channels normalized = ch;
  normalized.r_scale = normalized.r_mean = c.data();
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, normalized, x.data(),
                                     ok, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(mish_cuda_bn_backward_f32(x.data(), x.data(), x.data(), normalized,
                                      x.data(), x.data(), ok, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(mish_cuda_bn_backward_sums_f32(x.data(), x.data(), nullptr,
                                           normalized, ok, sum.data(),
                                           sum.data(), sum.data(), nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape too_many_channels{1, 70000, 1, 0};
  EXPECT_EQ(mish_cuda_bn_statistics_f32(x.data(), c.data(), too_many_channels,
                                        sum.data(), sum.data(), nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape overflow{SIZE_MAX / 2, 4, 8, 0};
  EXPECT_EQ(mish_cuda_bn_forward_f32(x.data(), nullptr, ch, x.data(), overflow,
                                     nullptr),
            cudaErrorInvalidValue);
  const mish_bn_shape empty{0, 4, 8, 1};
  EXPECT_EQ(
      mish_cuda_bn_forward_f32(nullptr, nullptr, ch, nullptr, empty, nullptr),
      cudaSuccess);
}

}  // namespace
}  // namespace mish::test
