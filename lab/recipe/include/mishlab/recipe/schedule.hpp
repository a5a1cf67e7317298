// Learning-rate schedules stepped once per batch.
#pragma once

#include <cstdint>
#include <string>

namespace torch::optim {
class Optimizer;
}

namespace mishlab::recipe {

enum class ScheduleKind { kConstant, kFlatCos, kOneCycle };

// Throws std::invalid_argument naming the accepted values.
ScheduleKind parse_schedule(const std::string& name);
std::string schedule_name(ScheduleKind kind);

struct Schedule {
  ScheduleKind kind = ScheduleKind::kFlatCos;
  double lr = 1e-3;             // the peak (and flat) learning rate
  int64_t total_steps = 1;      // batches in the whole run
  double flat_fraction = 0.72;  // flat_cos: share of steps at lr
  double pct_start = 0.25;      // one_cycle: share of steps warming up
  double div = 25;              // one_cycle: starts at lr / div
  double final_div = 1e5;       // one_cycle: ends at lr / final_div

  // The learning rate for batch `step` (0-based).
  double lr_at(int64_t step) const;
};

// Sets every param group's learning rate.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace mishlab::recipe
