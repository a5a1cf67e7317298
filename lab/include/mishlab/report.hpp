#pragma once

#include <string>
#include <vector>

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

}  // namespace mishlab
