#include "mishlab/recipe/schedule.hpp"

#include <torch/optim/optimizer.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mishlab::recipe {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Cosine from `from` (p = 0) to `to` (p = 1).
double cos_between(double from, double to, double p) {
  return to + (from - to) * (1 + std::cos(kPi * p)) / 2;
}

}  // namespace

ScheduleKind parse_schedule(const std::string& name) {
  if (name == "constant") return ScheduleKind::kConstant;
  if (name == "flat_cos") return ScheduleKind::kFlatCos;
  if (name == "one_cycle") return ScheduleKind::kOneCycle;
  throw std::invalid_argument("unknown schedule '" + name +
                              "' (constant, flat_cos, one_cycle)");
}

std::string schedule_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kFlatCos:
      return "flat_cos";
    case ScheduleKind::kOneCycle:
      return "one_cycle";
  }
  return "?";
}

double Schedule::lr_at(int64_t step) const {
  const double pos =
      std::clamp(static_cast<double>(step) /
                     static_cast<double>(std::max<int64_t>(total_steps, 1)),
                 0.0, 1.0);
  switch (kind) {
    case ScheduleKind::kConstant:
      return lr;
    case ScheduleKind::kFlatCos:
      if (pos < flat_fraction) return lr;
      return cos_between(lr, 0, (pos - flat_fraction) / (1 - flat_fraction));
    case ScheduleKind::kOneCycle:
      if (pos < pct_start) return cos_between(lr / div, lr, pos / pct_start);
      return cos_between(lr, lr / final_div,
                         (pos - pct_start) / (1 - pct_start));
  }
  return lr;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace mishlab::recipe
