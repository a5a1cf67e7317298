#pragma once

#include <cstddef>
#include <vector>

namespace mishlab {

// Mean, sample standard deviation and the 95% confidence interval of the mean
// (Student t). With fewer than two values the spread is NaN.
struct Summary {
  size_t n = 0;
  double mean = 0;
  double std = 0;
  double ci_low = 0;
  double ci_high = 0;
};
Summary summarize(const std::vector<double>& values);

// Welch's unequal-variance t-test of mean(a) != mean(b): statistic, degrees
// of freedom (Welch-Satterthwaite) and two-sided p-value.
struct WelchResult {
  double t = 0;
  double df = 0;
  double p = 0;
};
WelchResult welch_t_test(const std::vector<double>& a,
                         const std::vector<double>& b);

// Cohen's d with the pooled standard deviation: (mean(a) - mean(b)) / s.
double cohens_d(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mishlab
