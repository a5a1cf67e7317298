// The scalar 16-bit conversions that the 16-bit kernels are judged by.
#include "src/core/half.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mish::half {
namespace {

TEST(Half, DecodesKnownPatterns) {
  EXPECT_EQ(F16ToFloat(0x3C00), 1.0f);
  EXPECT_EQ(F16ToFloat(0xC000), -2.0f);
  EXPECT_EQ(F16ToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(F16ToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(F16ToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(F16ToFloat(0x7E00)));
  EXPECT_EQ(Bf16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(Bf16ToFloat(0xC040), -3.0f);
}

TEST(Half, RoundsToNearestEven) {
  // 1 + 2^-11 is halfway between two binary16 values: ties go to even.
  EXPECT_EQ(DoubleToF16(1.0 + std::ldexp(1.0, -11)), 0x3C00);
  EXPECT_EQ(DoubleToF16(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);
  EXPECT_EQ(DoubleToF16(65520.0), 0x7C00);  // rounds up to inf
  EXPECT_EQ(DoubleToF16(65519.0), 0x7BFF);
  EXPECT_EQ(DoubleToF16(std::ldexp(1.0, -25)), 0x0000);  // tie to even zero
  EXPECT_EQ(DoubleToF16(-std::ldexp(3.0, -26)), 0x8001);
  EXPECT_EQ(DoubleToBf16(1.0 + std::ldexp(1.0, -8)), 0x3F80);
  EXPECT_EQ(DoubleToBf16(1.0 + 3 * std::ldexp(1.0, -8)), 0x3F82);
  EXPECT_EQ(DoubleToBf16(-0.0), 0x8000);
  EXPECT_EQ(DoubleToBf16(NAN) & 0x7FC0, 0x7FC0);
}

TEST(Half, RoundTripsEveryPattern) {
  for (uint32_t i = 0; i < 65536; ++i) {
    const auto h = static_cast<uint16_t>(i);
    const float f = F16ToFloat(h), b = Bf16ToFloat(h);
    if (!std::isnan(f)) {
      ASSERT_EQ(DoubleToF16(f), h) << i;
    }
    if (!std::isnan(b)) {
      ASSERT_EQ(DoubleToBf16(b), h) << i;
    }
  }
}

}  // namespace
}  // namespace mish::half
