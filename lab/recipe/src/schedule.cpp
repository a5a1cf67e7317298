#include "mishlab/recipe/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace mishlab::recipe {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Cosine from `from` (p = 0) to `to` (p = 1).
double cos_between(double from, double to, double p) {
  return to + (from - to) * (1 + std::cos(kPi * p)) / 2;
}

}  // namespace

double flat_cos(double progress, double flat_fraction) {
  const double t = std::clamp(progress, 0.0, 1.0);
  if (t < flat_fraction) return 1.0;
  return cos_between(1.0, 0.0, (t - flat_fraction) / (1 - flat_fraction));
}

double one_cycle(double progress, double pct_start, double div,
                 double final_div) {
  const double t = std::clamp(progress, 0.0, 1.0);
  if (t < pct_start) return cos_between(1 / div, 1.0, t / pct_start);
  return cos_between(1.0, 1 / final_div, (t - pct_start) / (1 - pct_start));
}

}  // namespace mishlab::recipe
