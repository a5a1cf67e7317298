#include "run/shard.hpp"

#include <cerrno>
#include <cstdlib>

#include "common/error.hpp"

namespace mishlab {

namespace {

bool parse_int(const std::string& text, int* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != text.npos) {
    return false;
  }
  errno = 0;
  const long v = std::strtol(text.c_str(), nullptr, 10);
  if (errno != 0 || v > (1 << 20)) return false;
  *value = static_cast<int>(v);
  return true;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  Shard s;
  if (slash == text.npos || !parse_int(text.substr(0, slash), &s.index) ||
      !parse_int(text.substr(slash + 1), &s.count) || s.count < 1 ||
      s.index >= s.count) {
    throw Error("--shard " + text +
                ": expected I/N with 0 <= I < N, such as 0/4");
  }
  return s;
}

std::optional<Shard> pick_shard(const std::string& flag, const Getenv& getenv) {
  if (!flag.empty()) return parse_shard(flag);
  const char* id = getenv("SLURM_ARRAY_TASK_ID");
  const char* count = getenv("SLURM_ARRAY_TASK_COUNT");
  if (!id || !count) return std::nullopt;
  // The tasks of --array=MIN-MAX:STEP, numbered 0..COUNT-1.
  const char* min = getenv("SLURM_ARRAY_TASK_MIN");
  const char* step = getenv("SLURM_ARRAY_TASK_STEP");
  int task = 0, first = 0, stride = 1;
  Shard s;
  if (!parse_int(id, &task) || !parse_int(count, &s.count) ||
      (min && !parse_int(min, &first)) || (step && !parse_int(step, &stride)) ||
      s.count < 1 || stride < 1 || task < first ||
      (task - first) % stride != 0 || (task - first) / stride >= s.count) {
    throw Error(std::string("SLURM_ARRAY_TASK_ID=") + id +
                " and SLURM_ARRAY_TASK_COUNT=" + count +
                " (with _MIN and _STEP) do not name a shard: submit a "
                "plain range such as --array=0-7, or pass --shard I/N");
  }
  s.index = (task - first) / stride;
  return s;
}

}  // namespace mishlab
