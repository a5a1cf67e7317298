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

// The 95% confidence interval of mean(a) - mean(b) that Welch's test
// inverts (Welch-Satterthwaite degrees of freedom); NaN with fewer than two
// values in either.
struct Interval {
  double low = 0;
  double high = 0;
};
Interval welch_interval(const std::vector<double>& a,
                        const std::vector<double>& b);

// Holm's step-down adjustment of p-values for a family of tests: the i-th
// smallest of m is multiplied by m - i + 1, kept monotone and capped at 1.
// NaN p-values (tests not made) stay NaN and do not count in m.
std::vector<double> holm_adjust(const std::vector<double>& p);

// Cohen's d with the pooled standard deviation: (mean(a) - mean(b)) / s.
double cohens_d(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mishlab
