#include "train/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.hpp"

namespace mishlab {
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

namespace {

const std::map<std::string, Schedule>& schedules() {
  static const std::map<std::string, Schedule> table = {
      {"constant", [](double) { return 1.0; }},
      {"cosine",
       [](double t) { return 0.5 * (1 + std::cos(3.14159265358979 * t)); }},
      {"flat_cos", [](double t) { return flat_cos(t); }},
      {"one_cycle", [](double t) { return one_cycle(t); }},
  };
  return table;
}

}  // namespace

std::vector<std::string> schedule_names() {
  std::vector<std::string> names;
  for (const auto& entry : schedules()) names.push_back(entry.first);
  return names;
}

Schedule get_schedule(const std::string& name) {
  const auto it = schedules().find(name);
  if (it == schedules().end()) throw Error("unknown schedule '" + name + "'");
  return it->second;
}

}  // namespace mishlab
