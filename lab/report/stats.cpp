#include "report/stats.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace mishlab {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) /
         static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v, double mean) {
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return ss / static_cast<double>(v.size() - 1);
}

}  // namespace

Summary summarize(const std::vector<double>& values) {
  Summary s;
  s.n = values.size();
  if (s.n == 0) return {0, kNaN, kNaN, kNaN, kNaN};
  s.mean = mean_of(values);
  if (s.n < 2) {
    s.std = s.ci_low = s.ci_high = kNaN;
    return s;
  }
  s.std = std::sqrt(variance_of(values, s.mean));
  const boost::math::students_t dist(static_cast<double>(s.n - 1));
  const double half =
      boost::math::quantile(boost::math::complement(dist, 0.025)) * s.std /
      std::sqrt(static_cast<double>(s.n));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

WelchResult welch_t_test(const std::vector<double>& a,
                         const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return {kNaN, kNaN, kNaN};
  const double na = static_cast<double>(a.size());
  const double nb = static_cast<double>(b.size());
  const double ma = mean_of(a);
  const double mb = mean_of(b);
  const double va = variance_of(a, ma) / na;
  const double vb = variance_of(b, mb) / nb;
  const double se2 = va + vb;
  if (se2 == 0) {
    // Both samples constant: the means either agree or differ for certain.
    return ma == mb ? WelchResult{0, kNaN, 1} : WelchResult{kNaN, kNaN, 0};
  }
  WelchResult r;
  r.t = (ma - mb) / std::sqrt(se2);
  r.df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
  const boost::math::students_t dist(r.df);
  r.p = 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(r.t)));
  return r;
}

Interval welch_interval(const std::vector<double>& a,
                        const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return {kNaN, kNaN};
  const double ma = mean_of(a);
  const double mb = mean_of(b);
  const double se =
      std::sqrt(variance_of(a, ma) / static_cast<double>(a.size()) +
                variance_of(b, mb) / static_cast<double>(b.size()));
  if (se == 0) return {ma - mb, ma - mb};  // both constant
  const boost::math::students_t dist(welch_t_test(a, b).df);
  const double half =
      boost::math::quantile(boost::math::complement(dist, 0.025)) * se;
  return {ma - mb - half, ma - mb + half};
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return p[x] < p[y]; });
  std::vector<double> out(p.size(), kNaN);
  double running = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const double scaled = p[order[k]] * static_cast<double>(order.size() - k);
    running = std::min(1.0, std::max(running, scaled));
    out[order[k]] = running;
  }
  return out;
}

double cohens_d(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return kNaN;
  const double na = static_cast<double>(a.size());
  const double nb = static_cast<double>(b.size());
  const double ma = mean_of(a);
  const double mb = mean_of(b);
  const double pooled =
      ((na - 1) * variance_of(a, ma) + (nb - 1) * variance_of(b, mb)) /
      (na + nb - 2);
  return (ma - mb) / std::sqrt(pooled);
}

}  // namespace mishlab
