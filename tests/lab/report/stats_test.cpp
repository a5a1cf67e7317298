#include "report/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mishlab {
namespace {

// Welch's example 1 (Wikipedia, "Welch's t-test"): t = -2.46, df = 24.99,
// p = 0.021; reference digits from mpmath's regularized incomplete beta.
const std::vector<double> kA1 = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                                 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
const std::vector<double> kA2 = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                                 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};

TEST(Stats, WelchTextbookCase) {
  const WelchResult w = welch_t_test(kA1, kA2);
  EXPECT_NEAR(w.t, -2.45535639828601, 1e-10);
  EXPECT_NEAR(w.df, 24.98852929023142, 1e-9);
  EXPECT_NEAR(w.p, 0.0213780014628668, 1e-10);
  const WelchResult r = welch_t_test(kA2, kA1);
  EXPECT_NEAR(r.t, -w.t, 1e-12);
  EXPECT_NEAR(r.p, w.p, 1e-12);
}

TEST(Stats, CohensD) {
  EXPECT_NEAR(cohens_d(kA1, kA2), -0.8965693907039245, 1e-10);
}

TEST(Stats, SummaryWithStudentInterval) {
  const Summary s = summarize({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_NEAR(s.std, std::sqrt(2.5), 1e-12);
  // t(0.975, 4) = 2.776445105197799.
  const double half = 2.776445105197799 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_NEAR(s.ci_low, 3 - half, 1e-9);
  EXPECT_NEAR(s.ci_high, 3 + half, 1e-9);
}

TEST(Stats, DegenerateSamples) {
  EXPECT_TRUE(std::isnan(summarize({}).mean));
  const Summary one = summarize({0.5});
  EXPECT_EQ(one.mean, 0.5);
  EXPECT_TRUE(std::isnan(one.std));
  EXPECT_TRUE(std::isnan(welch_t_test({1}, {1, 2}).p));
  EXPECT_EQ(welch_t_test({1, 1}, {1, 1}).p, 1);
  EXPECT_EQ(welch_t_test({1, 1}, {2, 2}).p, 0);
}

// The interval is the set of shifts Welch's test does not reject: at its
// ends p = 0.05. t(0.975, 24.99) = 2.0595 (tables).
TEST(Stats, WelchIntervalInvertsTheTest) {
  const Interval ci = welch_interval(kA1, kA2);
  const double diff = 20.82 - 22.98666666666666667;  // the means
  EXPECT_NEAR((ci.low + ci.high) / 2, diff, 1e-9);
  const double se = diff / -2.45535639828601;
  EXPECT_NEAR((ci.high - ci.low) / 2, 2.0595 * se, 1e-3);
  for (const double end : {ci.low, ci.high}) {
    std::vector<double> shifted = kA2;
    for (double& x : shifted) x += end;
    EXPECT_NEAR(welch_t_test(kA1, shifted).p, 0.05, 1e-9);
  }
  EXPECT_LT(ci.high, 0);  // p = 0.021: the interval excludes 0
  EXPECT_TRUE(std::isnan(welch_interval({1}, kA2).low));
}

TEST(Stats, HolmAdjustsStepDown) {
  // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04,
  // made monotone: 0.02, 0.03, 0.06, 0.06.
  const std::vector<double> adj = holm_adjust({0.01, 0.04, 0.03, 0.005});
  const std::vector<double> want = {0.03, 0.06, 0.06, 0.02};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(adj[i], want[i], 1e-12);
  const std::vector<double> capped = holm_adjust({0.6, NAN, 0.2});
  EXPECT_NEAR(capped[0], 0.6, 1e-12);  // max(0.4, 0.6 * 1)
  EXPECT_TRUE(std::isnan(capped[1]));
  EXPECT_NEAR(capped[2], 0.4, 1e-12);  // m = 2
  EXPECT_TRUE(holm_adjust({}).empty());
}

}  // namespace
}  // namespace mishlab
