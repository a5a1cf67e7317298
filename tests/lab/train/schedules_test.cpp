#include "train/schedules.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mishlab {
namespace {

TEST(FlatCos, IsFlatFor72PercentThenCosineToZero) {
  EXPECT_EQ(flat_cos(0.0), 1.0);
  EXPECT_EQ(flat_cos(0.71), 1.0);
  EXPECT_EQ(flat_cos(0.72), 1.0);
  EXPECT_NEAR(flat_cos(0.86), 0.5, 1e-12);  // halfway through the anneal
  EXPECT_NEAR(flat_cos(0.79), (1 + std::cos(M_PI * 0.25)) / 2, 1e-12);
  EXPECT_NEAR(flat_cos(1.0), 0.0, 1e-15);
  EXPECT_NEAR(flat_cos(0.75, 0.5), 0.5, 1e-12);
}

TEST(OneCycle, WarmsFromOneOverDivThenAnnealsToOneOverFinalDiv) {
  EXPECT_NEAR(one_cycle(0.0), 1.0 / 25, 1e-15);
  EXPECT_NEAR(one_cycle(0.125), 0.04 + 0.96 / 2, 1e-12);
  EXPECT_NEAR(one_cycle(0.25), 1.0, 1e-12);
  EXPECT_NEAR(one_cycle(0.625), 1e-5 + (1 - 1e-5) / 2, 1e-12);
  EXPECT_NEAR(one_cycle(1.0), 1e-5, 1e-15);
}

}  // namespace
}  // namespace mishlab
