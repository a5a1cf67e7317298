#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/stats.hpp"

namespace mishlab {

// A Markdown table, the form every report.md is written in.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void add(std::vector<std::string> row);
  std::string markdown() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point text; "-" for NaN so missing values read as missing.
std::string fixed(double value, int digits);
// An accuracy in [0, 1] as a percentage: "98.41".
std::string percent(double accuracy, int digits = 2);
// A p-value the way papers print it: "0.0213", "< 0.0001".
std::string p_value(double p);

// Accuracies summarised as percentages: "91.20 ± 0.35" (no spread for one
// value) and the 95% confidence interval "90.80 – 91.60".
// Other metrics: shown as value * scale with `digits` decimals.
std::string mean_std(const Summary& s, double scale = 100, int digits = 2);
std::string ci_range(const Summary& s, double scale = 100, int digits = 2);

// A number for summary.json: null when NaN or infinite (JSON has neither).
nlohmann::json json_number(double value);

}  // namespace mishlab
