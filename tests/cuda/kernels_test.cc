// The CUDA forward and backward kernels against the CPU reference (float64
// inside) on the same inputs, and their vector and scalar paths against each
// other for every length, alignment and in-place use.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include "mish/mish.h"
#include "mish/mish_cuda.h"
#include "src/cuda/mish_math.cuh"
#include "tests/cuda/accuracy.h"
#include "tests/cuda/api.h"
#include "tests/cuda/device.h"

namespace mish::test {
namespace {

using CudaKernels = GpuTest;

// y = mish(x) and g = mish'(x) (dy = 1) on the device.
template <class Api, class T = typename Api::T>
void RunOnDevice(const std::vector<T>& x, std::vector<T>* y,
                 std::vector<T>* g) {
  const size_t n = x.size();
  DeviceArray<T> dx_in(n), dy(n), out(n);
  ASSERT_TRUE(dx_in.ok() && dy.ok() && out.ok());
  MISH_CUDA_OK(dx_in.Upload(x.data()));
  MISH_CUDA_OK(Api::kForward(dx_in.data(), out.data(), n, nullptr));
  *y = out.Download();
  const std::vector<T> ones(n, Api::FromFloat(1.0f));
  MISH_CUDA_OK(dy.Upload(ones.data()));
  MISH_CUDA_OK(Api::kBackward(dx_in.data(), dy.data(), out.data(), n, nullptr));
  *g = out.Download();
  ASSERT_EQ(y->size(), n);
  ASSERT_EQ(g->size(), n);
}

TEST_F(CudaKernels, Float32SweepWithinBoundsAndEqualToHostMaths) {
  const uint64_t stride = SweepStride(61);
  std::vector<float> x;
  for (uint64_t u = 0; u <= 0xFFFFFFFFu; u += stride) {
    x.push_back(FromBits(static_cast<uint32_t>(u)));
  }
  std::vector<float> y, g;
  RunOnDevice<F32Api>(x, &y, &g);
  if (HasFatalFailure()) return;
  Worst32 worst;
  size_t differ = 0;
  std::mutex mu;
  ParallelFor(x.size(), [&](size_t begin, size_t end) {
    Worst32 local;
    size_t local_differ = 0;
    for (size_t i = begin; i < end; ++i) {
      local.Add(x[i], y[i], g[i]);
      // The host test of the maths holds for the device only if they agree.
      using cuda::AccurateMath;
      local_differ += !F32Api::Same(y[i], cuda::Mish<AccurateMath>(x[i])) ||
                      !F32Api::Same(g[i], cuda::MishGrad<AccurateMath>(x[i]));
    }
    const std::lock_guard<std::mutex> lock(mu);
    worst.Merge(local);
    differ += local_differ;
  });
  worst.Expect("device sweep");
  EXPECT_EQ(differ, 0u) << "device and host maths round differently";
}

TEST_F(CudaKernels, Float32SpecialValuesMatchTheCpu) {
  std::vector<float> x = SpecialInputs();
  x.push_back(std::nanf(""));
  std::vector<float> y, g;
  RunOnDevice<F32Api>(x, &y, &g);
  if (HasFatalFailure()) return;
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    SCOPED_TRACE(x[i]);
    EXPECT_EQ(Bits(y[i]), Bits(mish_f32(x[i])));
    EXPECT_EQ(g[i], mish_grad_f32(x[i]));  // -0 and +0 for -inf: see math_test
  }
  EXPECT_TRUE(std::isnan(y.back()));
  EXPECT_TRUE(std::isnan(g.back()));
}

template <class Api>
class CudaTypedKernels : public GpuTest {};
using Types = ::testing::Types<F32Api, Bf16Api, F16Api>;
TYPED_TEST_SUITE(CudaTypedKernels, Types);

template <class Api>
class CudaSixteenBit : public GpuTest {};
using Types16 = ::testing::Types<Bf16Api, F16Api>;
TYPED_TEST_SUITE(CudaSixteenBit, Types16);

TYPED_TEST(CudaSixteenBit, EveryPatternWithinOneUlp) {
  using Api = TypeParam;
  const std::vector<uint16_t> x = AllPatterns16();
  std::vector<uint16_t> y, g;
  RunOnDevice<Api>(x, &y, &g);
  if (this->HasFatalFailure()) return;
  if constexpr (std::is_same_v<Api, Bf16Api>) {
    ExpectWithinOneUlp16<Bf16Format>(x, y, g, "device");
  } else {
    ExpectWithinOneUlp16<F16Format>(x, y, g, "device");
  }
}

// Lengths around every vector width and unroll boundary.
std::vector<size_t> Lengths() {
  std::vector<size_t> n = {0,  1,   2,   3,   4,    5,    7,   8,
                           9,  15,  16,  17,  31,   33,   63,  64,
                           65, 255, 256, 257, 1023, 1024, 1025};
  for (const size_t big : {size_t{4096} * 8, size_t{1} << 16}) {
    for (const size_t d : {size_t{0}, size_t{1}, size_t{7}})
      n.push_back(big + d);
  }
  return n;
}

// Element offsets of (input, output) from a 256-byte boundary: equal ones
// take the vector path after a scalar head, unequal ones the scalar path.
constexpr std::pair<size_t, size_t> kOffsets[] = {
    {0, 0}, {1, 1}, {3, 3}, {0, 1}, {2, 0}};

TYPED_TEST(CudaTypedKernels, EveryLengthOffsetAndInPlaceAgree) {
  using Api = TypeParam;
  using T = typename Api::T;
  const std::vector<size_t> lengths = Lengths();
  const size_t max_n = lengths.back() + 8;
  std::mt19937 rng(7);
  std::vector<T> x(max_n), dy(max_n);
  for (size_t i = 0; i < max_n; ++i) {
    x[i] = Api::FromBits(static_cast<uint32_t>(rng()));
    dy[i] = Api::FromFloat(std::uniform_real_distribution<float>(-4, 4)(rng));
  }
  // Expected: one aligned launch over all inputs.
  DeviceArray<T> gx(max_n), gdy(max_n), gy(max_n), gdx(max_n);
  ASSERT_TRUE(gx.ok() && gdy.ok() && gy.ok() && gdx.ok());
  MISH_CUDA_OK(gx.Upload(x.data()));
  MISH_CUDA_OK(gdy.Upload(dy.data()));
  MISH_CUDA_OK(Api::kForward(gx.data(), gy.data(), max_n, nullptr));
  MISH_CUDA_OK(
      Api::kBackward(gx.data(), gdy.data(), gdx.data(), max_n, nullptr));
  const std::vector<T> want_y = gy.Download();
  const std::vector<T> want_dx = gdx.Download();
  ASSERT_EQ(want_y.size(), max_n);

  cudaStream_t stream = nullptr;
  MISH_CUDA_OK(cudaStreamCreate(&stream));
  const auto expect_prefix = [&](DeviceArray<T>& out,
                                 const std::vector<T>& want, size_t n,
                                 const char* what) {
    const std::vector<T> got = out.Download();
    ASSERT_EQ(got.size(), n) << what;
    for (size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(Api::Same(got[i], want[i])) << what << " at " << i;
    }
    EXPECT_TRUE(out.GuardsIntact()) << what << ": wrote outside the array";
  };
  for (const size_t n : lengths) {
    for (const auto& [in_off, out_off] : kOffsets) {
      SCOPED_TRACE(::testing::Message()
                   << Api::kName << " n = " << n << " offsets " << in_off
                   << ", " << out_off);
      DeviceArray<T> dx_in(n, in_off), ddy(n, in_off), out(n, out_off);
      ASSERT_TRUE(dx_in.ok() && ddy.ok() && out.ok());
      MISH_CUDA_OK(dx_in.Upload(x.data()));
      MISH_CUDA_OK(ddy.Upload(dy.data()));
      MISH_CUDA_OK(Api::kForward(dx_in.data(), out.data(), n, stream));
      MISH_CUDA_OK(cudaStreamSynchronize(stream));
      expect_prefix(out, want_y, n, "forward");
      MISH_CUDA_OK(
          Api::kBackward(dx_in.data(), ddy.data(), out.data(), n, stream));
      MISH_CUDA_OK(cudaStreamSynchronize(stream));
      expect_prefix(out, want_dx, n, "backward");
      // In place: y == x, then dx == dy.
      MISH_CUDA_OK(Api::kForward(dx_in.data(), dx_in.data(), n, stream));
      MISH_CUDA_OK(cudaStreamSynchronize(stream));
      expect_prefix(dx_in, want_y, n, "forward in place");
      MISH_CUDA_OK(dx_in.Upload(x.data()));
      MISH_CUDA_OK(
          Api::kBackward(dx_in.data(), ddy.data(), ddy.data(), n, stream));
      MISH_CUDA_OK(cudaStreamSynchronize(stream));
      expect_prefix(ddy, want_dx, n, "backward in place");
      if (this->HasFatalFailure()) break;
    }
  }
  MISH_CUDA_OK(cudaStreamDestroy(stream));
}

TYPED_TEST(CudaTypedKernels, InvalidArgumentsAreRejected) {
  using Api = TypeParam;
  using T = typename Api::T;
  DeviceArray<T> a(16), b(16);
  ASSERT_TRUE(a.ok() && b.ok());
  T* p = a.data();
  T* q = b.data();
  EXPECT_EQ(Api::kForward(nullptr, q, 1, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(Api::kForward(p, nullptr, 1, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(Api::kForward(nullptr, nullptr, 0, nullptr), cudaSuccess);
  EXPECT_EQ(Api::kBackward(p, nullptr, q, 1, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(Api::kBackward(nullptr, nullptr, nullptr, 0, nullptr), cudaSuccess);
  // Not aligned to the element size.
  const auto odd = reinterpret_cast<T*>(reinterpret_cast<char*>(p) + 1);
  EXPECT_EQ(Api::kForward(odd, q, 4, nullptr), cudaErrorInvalidValue);
  EXPECT_EQ(Api::kBiasRows(p, nullptr, q, 2, 2, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(Api::kBiasRows(nullptr, nullptr, nullptr, 0, 5, nullptr),
            cudaSuccess);
  const size_t huge = size_t{1} << 40;
  EXPECT_EQ(Api::kBiasNchw(p, p, q, huge, huge, 1, nullptr),
            cudaErrorInvalidValue);
  MISH_CUDA_OK(cudaDeviceSynchronize());
  EXPECT_TRUE(b.GuardsIntact());
}

}  // namespace
}  // namespace mish::test
