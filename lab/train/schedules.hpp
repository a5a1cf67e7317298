#pragma once

// Learning-rate schedules: multipliers of the peak rate over training
// progress in [0, 1), by name. The trainer applies them once per batch.

#include <functional>
#include <string>
#include <vector>

namespace mishlab {

using Schedule = std::function<double(double progress)>;

std::vector<std::string> schedule_names();
// constant, cosine, flat_cos, one_cycle; throws Error for another name.
Schedule get_schedule(const std::string& name);

// Flat at 1 for `flat_fraction` of training, then (1 + cos(pi p)) / 2 down to
// 0 over the rest (p from 0 to 1): fastai's fit_flat_cos.
double flat_cos(double progress, double flat_fraction = 0.72);

// fastai's one-cycle: cosine from 1/div up to 1 over `pct_start`, then
// cosine down to 1/final_div.
double one_cycle(double progress, double pct_start = 0.25, double div = 25,
                 double final_div = 1e5);

}  // namespace mishlab
