#include "common/setting.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/error.hpp"

namespace mishlab {

std::string SettingInfo::long_flag() const {
  const std::string all = flag;
  return all.substr(0, all.find(','));
}

std::string setting_text(double value) {
  char buf[32];
  // Whole numbers as integers (1000, not 1e+03): integer flags read them.
  if (std::isfinite(value) && value == std::floor(value) &&
      std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // Otherwise the shortest form that reads back the same: 0.01.
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, value);
    if (std::isnan(value) || std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

void check_setting(const SettingInfo& s, double value) {
  const Check& c = s.check;
  const std::string head = s.long_flag() + " " + setting_text(value) + ": ";
  if (!std::isfinite(value)) throw Error(head + "not a finite number");
  const bool low = c.min_open ? value <= c.min : value < c.min;
  if (low || value > c.max) {
    throw Error(head + "outside " + (c.min_open ? "(" : "[") +
                setting_text(c.min) + ", " + setting_text(c.max) + "]");
  }
}

void check_setting(const SettingInfo& s, const std::string& value) {
  if (!s.check.names) return;
  const std::vector<std::string> known = s.check.names();
  if (std::find(known.begin(), known.end(), value) != known.end()) return;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw Error(s.long_flag() + ": unknown '" + value + "' (known: " + list +
              ")");
}

void throw_empty(const SettingInfo& s) {
  throw Error(s.long_flag() + " is empty");
}

void throw_repeated(const SettingInfo& s, const std::string& value) {
  throw Error(s.long_flag() + " names " + value +
              " twice (each value runs once)");
}

}  // namespace mishlab
