#include "report/table.hpp"

#include <cmath>
#include <cstdio>

namespace mishlab {

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::add(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string Table::markdown() const {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const std::string& c : cells) s += " " + c + " |";
    return s + "\n";
  };
  std::string out = line(header_) + "|";
  for (size_t i = 0; i < header_.size(); ++i) out += i == 0 ? "---|" : "--:|";
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string fixed(double value, int digits) {
  if (std::isnan(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string percent(double accuracy, int digits) {
  return fixed(accuracy * 100, digits);
}

std::string p_value(double p) {
  if (std::isnan(p)) return "-";
  if (p < 1e-4) return "< 0.0001";
  return fixed(p, 4);
}

std::string mean_std(const Summary& s, double scale, int digits) {
  const std::string mean = fixed(s.mean * scale, digits);
  return s.n > 1 ? mean + " ± " + fixed(s.std * scale, digits) : mean;
}

std::string ci_range(const Summary& s, double scale, int digits) {
  return fixed(s.ci_low * scale, digits) + " – " +
         fixed(s.ci_high * scale, digits);
}

nlohmann::json json_number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
}

}  // namespace mishlab
