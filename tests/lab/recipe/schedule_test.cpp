#include "mishlab/recipe/schedule.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

#include "mishlab/recipe/ranger.hpp"

namespace mishlab::recipe {
namespace {

TEST(Schedule, FlatCosIsFlatFor72PercentThenCosineToZero) {
  Schedule s{ScheduleKind::kFlatCos, 2.0, 100};
  EXPECT_DOUBLE_EQ(s.lr_at(0), 2.0);
  EXPECT_DOUBLE_EQ(s.lr_at(71), 2.0);
  EXPECT_DOUBLE_EQ(s.lr_at(72), 2.0);
  EXPECT_NEAR(s.lr_at(86), 1.0, 1e-12);  // halfway through the anneal
  EXPECT_NEAR(s.lr_at(79), 2.0 * (1 + std::cos(M_PI * 0.25)) / 2, 1e-12);
  EXPECT_NEAR(s.lr_at(100), 0.0, 1e-12);
}

TEST(Schedule, OneCycleWarmsFromLrOverDivThenAnneals) {
  Schedule s{ScheduleKind::kOneCycle, 1.0, 200};
  EXPECT_NEAR(s.lr_at(0), 1.0 / 25, 1e-15);
  EXPECT_NEAR(s.lr_at(25), 0.04 + 0.96 / 2, 1e-12);
  EXPECT_NEAR(s.lr_at(50), 1.0, 1e-12);
  EXPECT_NEAR(s.lr_at(125), 1e-5 + (1 - 1e-5) / 2, 1e-12);
  EXPECT_NEAR(s.lr_at(200), 1e-5, 1e-15);
}

TEST(Schedule, ConstantNeverMoves) {
  Schedule s{ScheduleKind::kConstant, 0.3, 10};
  EXPECT_EQ(s.lr_at(0), 0.3);
  EXPECT_EQ(s.lr_at(9), 0.3);
}

TEST(Schedule, ParsesNamesAndRejectsOthers) {
  for (auto kind : {ScheduleKind::kConstant, ScheduleKind::kFlatCos,
                    ScheduleKind::kOneCycle}) {
    EXPECT_EQ(parse_schedule(schedule_name(kind)), kind);
  }
  EXPECT_THROW(parse_schedule("cosine"), std::invalid_argument);
}

TEST(Schedule, SetLrReachesTheInnerOptimizerOfRanger) {
  auto p = torch::zeros({1}, torch::requires_grad());
  Ranger opt({p});
  set_lr(opt, 0.25);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.25);
}

}  // namespace
}  // namespace mishlab::recipe
