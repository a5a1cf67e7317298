#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/environment.hpp"

namespace mishlab {

// One share of an experiment's runs, for a sweep split across the tasks of a
// job array: shard `index` of `count` trains the runs whose position in the
// experiment's run list is index modulo count. The list depends only on the
// settings, so the shards of one experiment cover every run exactly once.
struct Shard {
  int index = 0;
  int count = 1;
  bool owns(size_t run) const {
    return static_cast<int>(run % static_cast<size_t>(count)) == index;
  }
  std::string str() const {
    return std::to_string(index) + "/" + std::to_string(count);
  }
};

// The shard a `--shard I/N` flag names; throws Error unless 0 <= I < N.
Shard parse_shard(const std::string& text);

// --shard when given (non-empty), else the task of a Slurm job array
// (SLURM_ARRAY_TASK_ID and _COUNT, with _MIN and _STEP: --array=1-8 runs
// shards 0/8 to 7/8); nothing otherwise.
std::optional<Shard> pick_shard(const std::string& flag, const Getenv& getenv);

}  // namespace mishlab
