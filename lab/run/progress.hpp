#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mishlab {

// A progress bar with ETA on a terminal; plain log lines otherwise (CI logs,
// files), where the bar itself stays silent.
class Progress {
 public:
  Progress(int64_t total_units, bool terminal);
  // Adds done units and redraws the bar (at most ten times a second).
  void advance(int64_t units, const std::string& status);
  // A line that stays: printed above the bar on a terminal.
  void log(const std::string& line);
  void finish();

 private:
  void draw(bool force);
  void clear_line();

  int64_t total_;
  int64_t done_ = 0;
  bool terminal_;
  std::string status_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

bool stderr_is_terminal();

// "1h02m", "3m05s", "42s".
std::string format_duration(double seconds);

}  // namespace mishlab
