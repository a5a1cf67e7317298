// The device maths (src/cuda/mish_math.cuh) run on the host: the float32
// kernels round exactly as here (they are built with --fmad=false), so these
// sweeps check the GPU's float32 bounds without a GPU. The 16-bit kernels'
// hardware approximations are emulated with worse errors than the hardware's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mish/mish.h"
#include "src/cuda/divider.cuh"
#include "src/cuda/mish_math.cuh"
#include "tests/cuda/accuracy.h"

namespace mish::test {
namespace {

using cuda::AccurateMath;

void AddHost(Worst32& worst, float x) {
  worst.Add(x, cuda::Mish<AccurateMath>(x), cuda::MishGrad<AccurateMath>(x));
}

TEST(CudaMath, Float32SweepOfBitPatterns) {
  Worst32 worst;
  const uint64_t stride = SweepStride(251);
  for (uint64_t u = 0; u <= 0xFFFFFFFFu; u += stride) {
    AddHost(worst, FromBits(static_cast<uint32_t>(u)));
  }
  worst.Expect("sweep");
}

// Every float32 in the ranges where the formulas change or cancel.
TEST(CudaMath, Float32DenseWhereFormulasMeet) {
  const std::pair<float, float> ranges[] = {
      {-105.0f, -86.0f},  // the subnormal tail and its edge
      {-1.3f, -1.1f},     // the root of mish'
      {19.0f, 21.0f},     // the clamp
  };
  for (const auto& [lo, hi] : ranges) {
    Worst32 worst;
    for (float x = lo; x <= hi; x = std::nextafter(x, hi + 1.0f)) {
      AddHost(worst, x);
    }
    worst.Expect((std::to_string(lo) + " .. " + std::to_string(hi)).c_str());
  }
}

TEST(CudaMath, Float32SpecialValuesMatchTheCpu) {
  for (const float x : SpecialInputs()) {
    SCOPED_TRACE(x);
    EXPECT_EQ(Bits(cuda::Mish<AccurateMath>(x)), Bits(mish_f32(x)));
    // mish'(-inf) is -0 in the kernels (the sign of (1 + x) e^x) and +0 in
    // the reference: compare values.
    EXPECT_EQ(cuda::MishGrad<AccurateMath>(x), mish_grad_f32(x));
  }
  EXPECT_TRUE(std::isnan(cuda::Mish<AccurateMath>(std::nanf(""))));
  EXPECT_TRUE(std::isnan(cuda::MishGrad<AccurateMath>(std::nanf(""))));
}

// ex2.approx.ftz and rcp.approx.ftz, with relative errors of 2^-21 in a fixed
// direction (the hardware's are below 2^-22) and subnormals flushed.
template <int kExpSign, int kRecipSign>
struct EmulatedFastMath {
  static constexpr bool kCompensated = false;
  static float Flush(double v) {
    const auto f = static_cast<float>(v);
    return std::fabs(f) < 0x1p-126f ? 0.0f : f;
  }
  static float Exp(float x, int scale) {
    const float arg = x * 1.44269504f + static_cast<float>(scale);
    return Flush(std::exp2(static_cast<double>(arg)) *
                 (1.0 + kExpSign * 0x1p-21));
  }
  static float Recip(float b) {
    return Flush(1.0 / static_cast<double>(b) * (1.0 + kRecipSign * 0x1p-21));
  }
};

template <class Format, bool kTail, class Math>
void CheckAllPatterns(const char* what) {
  const std::vector<uint16_t> x = AllPatterns16();
  std::vector<uint16_t> y(x.size());
  std::vector<uint16_t> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const auto xf = static_cast<float>(Format::ToDouble(x[i]));
    y[i] = Format::FromFloat(cuda::Mish<Math, kTail>(xf));
    g[i] = Format::FromFloat(cuda::MishGrad<Math, kTail>(xf));
  }
  ExpectWithinOneUlp16<Format>(x, y, g, what);
}

template <class Math>
void CheckBothFormats(const char* what) {
  CheckAllPatterns<Bf16Format, true, Math>(what);
  CheckAllPatterns<F16Format, false, Math>(what);
}

TEST(CudaMath, SixteenBitWithinOneUlpUnderApproximateMaths) {
  CheckBothFormats<EmulatedFastMath<1, 1>>("exp+ rcp+");
  CheckBothFormats<EmulatedFastMath<1, -1>>("exp+ rcp-");
  CheckBothFormats<EmulatedFastMath<-1, 1>>("exp- rcp+");
  CheckBothFormats<EmulatedFastMath<-1, -1>>("exp- rcp-");
}

TEST(CudaMath, DividerIsExact) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> divisors = {1,
                                    2,
                                    3,
                                    7,
                                    49,
                                    64,
                                    1000,
                                    3136,
                                    (uint64_t{1} << 32) + 1,
                                    (uint64_t{1} << 63) + 5,
                                    ~uint64_t{0}};
  for (int i = 0; i < 200; ++i) divisors.push_back(rng() >> (rng() % 64));
  for (const uint64_t d : divisors) {
    if (d == 0) continue;
    const cuda::Divider div(d);
    for (const uint64_t n : {uint64_t{0}, uint64_t{1}, d - 1, d, d + 1,
                             2 * d - 1, ~uint64_t{0}, ~uint64_t{0} - 1}) {
      EXPECT_EQ(div.Div(n), n / d) << n << " / " << d;
    }
    for (int i = 0; i < 200; ++i) {
      const uint64_t n = rng() >> (rng() % 64);
      EXPECT_EQ(div.Div(n), n / d) << n << " / " << d;
    }
  }
}

}  // namespace
}  // namespace mish::test
