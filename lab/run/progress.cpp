#include "run/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mishlab {

namespace {

constexpr int kBarWidth = 24;

}  // namespace

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string format_duration(double seconds) {
  const long s = std::max(0L, static_cast<long>(seconds + 0.5));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

Progress::Progress(int64_t total_units, bool terminal)
    : total_(std::max<int64_t>(total_units, 1)),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::advance(int64_t units, const std::string& status) {
  done_ = std::min(done_ + units, total_);
  status_ = status;
  draw(false);
}

void Progress::log(const std::string& line) {
  clear_line();
  std::fprintf(stderr, "%s\n", line.c_str());
  draw(true);
}

void Progress::finish() {
  clear_line();
  std::fflush(stderr);
}

void Progress::clear_line() {
  if (terminal_) std::fprintf(stderr, "\r\033[2K");
}

void Progress::draw(bool force) {
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double frac = static_cast<double>(done_) / static_cast<double>(total_);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string eta =
      done_ > 0 ? format_duration(elapsed * (1 - frac) / frac) : "?";
  const int filled = static_cast<int>(frac * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kBarWidth, '-');
  std::fprintf(stderr, "\r\033[2K[%s] %3d%% ETA %s  %s", bar.c_str(),
               static_cast<int>(frac * 100), eta.c_str(), status_.c_str());
  std::fflush(stderr);
}

}  // namespace mishlab
