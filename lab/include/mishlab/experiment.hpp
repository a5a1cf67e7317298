#pragma once

// Pieces shared by the experiment subcommands: the report around their
// tables, and tables/plots of a metric over experiment points x activations.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mishlab/plot.hpp"
#include "mishlab/runner.hpp"
#include "mishlab/stats.hpp"

namespace mishlab {

// One row of a grid: which runs belong to it and what each contributes
// (NaN for a diverged run, nullopt for a run of another row).
struct GridRow {
  std::string label;
  double x = 0;
  std::function<std::optional<double>(const RunResult&)> value;
};

struct GridCell {
  Summary summary;  // over the finite values
  size_t diverged = 0;
};

// cells[row][activation]
std::vector<std::vector<GridCell>> grid_cells(
    const std::vector<RunResult>& results, const std::vector<GridRow>& rows,
    const std::vector<std::string>& activations);

// Markdown: one row per GridRow, one column per activation, accuracies as
// "mean ± std" percentages.
std::string grid_table(const std::vector<GridRow>& rows,
                       const std::vector<std::string>& activations,
                       const std::vector<std::vector<GridCell>>& cells,
                       const std::string& row_header);

// One series per activation: x against mean accuracy (%), std as error bars.
std::vector<Series> grid_series(
    const std::vector<GridRow>& rows,
    const std::vector<std::string>& activations,
    const std::vector<std::vector<GridCell>>& cells);

nlohmann::json grid_summary(const std::vector<GridRow>& rows,
                            const std::vector<std::string>& activations,
                            const std::vector<std::vector<GridCell>>& cells);

// report.md of a grid experiment (depth, noise, init): `heading` (Markdown,
// with any introduction), the table of test accuracy per row and activation,
// and `plot` with its series filled in, saved as <name>.svg/.png; the
// summary holds every cell.
void write_grid_report(const Outcome& out, const std::vector<GridRow>& rows,
                       const std::vector<std::string>& activations, Plot plot,
                       const std::string& title, const std::string& heading,
                       const std::string& row_header, const std::string& name);

// Mean test accuracy per epoch for each activation (over seeds and points).
Plot training_curves(const std::vector<RunResult>& results,
                     const std::vector<std::string>& activations,
                     const std::string& title);

// Writes summary.json and report.md (a header with the command, settings,
// data and machine, then `body`) into out.dir, and prints where it is.
void write_report(const Outcome& out, const std::string& title,
                  const std::string& body, const nlohmann::json& summary);

// Draws a plot into out.dir/<name>.{svg,png} and returns the Markdown that
// shows it in report.md (empty when gnuplot is missing).
std::string plot_into_report(const Outcome& out, const Plot& plot,
                             const std::string& name);

}  // namespace mishlab
