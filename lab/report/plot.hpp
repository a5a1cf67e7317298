#pragma once

#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace mishlab {

// One line of a plot; err, when not empty, draws error bars.
struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> err;
};

struct Plot {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  std::vector<Series> series;
  // Named ticks (for categories such as initialisers); numeric when empty.
  std::vector<std::pair<double, std::string>> xtics;
  double ymin = std::numeric_limits<double>::quiet_NaN();
  double ymax = std::numeric_limits<double>::quiet_NaN();
  // Several small panels (one per series) instead of one chart.
  int columns = 0;
};

// Writes BASE.gp (data inline, so it can be edited and rerun by hand) and
// draws BASE.svg and BASE.png with gnuplot. Without gnuplot it warns once and
// returns false: plots are a convenience, the tables carry the results.
bool draw_plot(const Plot& plot, const std::filesystem::path& base);

}  // namespace mishlab
