// The float64 reference and the scalar C ABI against known values and an
// independent long double evaluation of x tanh(log1p(e^x)).
#include "src/core/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mish/mish.h"

namespace mish {
namespace {

long double Naive(long double x) {
  return x * std::tanh(std::log1p(std::exp(x)));
}

TEST(Reference, KnownShape) {
  // Minimum -0.308843413 at x = -1.19243121, where mish' has its root.
  EXPECT_NEAR(mish_f64(-1.19243121), -0.308843413, 1e-9);
  EXPECT_NEAR(mish_grad_f64(-1.19243121), 0.0, 1e-8);
  EXPECT_DOUBLE_EQ(mish_grad_f64(0.0), 0.6);
  EXPECT_NEAR(mish_f64(1.0), 0.8650983882673103, 1e-15);
}

TEST(Reference, AgreesWithLongDoubleNaiveFormula) {
  for (double x = -40.0; x <= 40.0; x += 0.0137) {
    const long double want = Naive(x);
    EXPECT_NEAR(mish_f64(x), static_cast<double>(want),
                1e-15 * std::fabs(static_cast<double>(want)) + 1e-300)
        << x;
    // Central difference of the long double formula.
    const long double h = 1e-6L;
    const long double dwant = (Naive(x + h) - Naive(x - h)) / (2 * h);
    EXPECT_NEAR(mish_grad_f64(x), static_cast<double>(dwant), 1e-9) << x;
  }
}

TEST(Reference, TailKeepsBits) {
  // x e^x directly in long double, where e^x is still normal.
  for (double x = -745.0; x < -690.0; x += 0.37) {
    const long double want = x * std::exp(static_cast<long double>(x));
    EXPECT_NEAR(mish_f64(x) / static_cast<double>(want), 1.0, 1e-12) << x;
  }
}

TEST(Reference, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(mish_f64(inf), inf);
  EXPECT_EQ(mish_f64(-inf), 0.0);
  EXPECT_TRUE(std::signbit(mish_f64(-inf)));
  EXPECT_TRUE(std::isnan(mish_f64(NAN)));
  EXPECT_TRUE(std::signbit(mish_f64(-0.0)));
  EXPECT_EQ(mish_grad_f64(inf), 1.0);
  EXPECT_EQ(mish_grad_f64(-inf), 0.0);
  EXPECT_TRUE(std::isnan(mish_grad_f64(NAN)));
  EXPECT_EQ(mish_f32(INFINITY), INFINITY);
  EXPECT_TRUE(std::signbit(mish_f32(-INFINITY)));
  EXPECT_EQ(mish_grad_f32(0.0f), 0.6f);
}

}  // namespace
}  // namespace mish
