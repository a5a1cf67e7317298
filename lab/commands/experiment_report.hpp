#pragma once

// report.md and summary.json of an experiment: the header every report
// shares (generated from the settings' declarations), tables and plots of a
// metric over points x activations, and curves over epochs.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/plot.hpp"
#include "report/stats.hpp"
#include "run/config.hpp"
#include "run/runner.hpp"

namespace mishlab {

// An experiment as it finished: what a report is written from.
struct Finished {
  Outcome outcome;
  RunConfig config;
  std::vector<std::string> flags;  // the settings the command offers
};

// Writes summary.json and report.md (a header with the command, the
// settings as flags, the data and the machine, then `body`) into the
// experiment's folder, and prints where it is.
void write_report(const Finished& f, const std::string& title,
                  const std::string& body, const nlohmann::json& summary);

// Draws a plot into <folder>/<name>.{svg,png} and returns the Markdown that
// shows it in report.md (empty when it could not be drawn).
std::string plot_into_report(const Finished& f, const Plot& plot,
                             const std::string& name);

// Mean test accuracy (the task's main metric, shown as value * scale under
// `ylabel`) per epoch for each activation (over seeds and points).
Plot training_curves(const std::vector<RunResult>& results,
                     const std::vector<std::string>& activations,
                     const std::string& title,
                     const std::string& ylabel = "test accuracy (%)",
                     double scale = 100);

// report.md of a one-point experiment of any task: per metric of the task,
// each activation's mean ± std, 95% CI, Δ against the baseline and Welch's
// p, in the metric's direction (better or worse); `more` (Markdown, e.g.
// sample grids); the main metric's curves.
void write_task_report(const Finished& f, const std::string& title,
                       const std::string& more = "");

// One row of a grid: which runs belong to it and what each contributes
// (NaN for a diverged run, nullopt for a run of another row).
struct GridRow {
  std::string label;
  double x = 0;
  std::function<std::optional<double>(const RunResult&)> value;
};

// A row whose value is the final accuracy of the runs at `point`.
GridRow point_row(std::string label, double x, std::string point);

// report.md of a grid experiment (depth, noise, init): `heading` (Markdown,
// with any introduction), the table of test accuracy per row and
// activation, and `plot` with its series filled in, saved as <name>.svg/.png;
// summary.json holds every cell.
void write_grid_report(const Finished& f, const std::vector<GridRow>& rows,
                       Plot plot, const std::string& title,
                       const std::string& heading,
                       const std::string& row_header, const std::string& name);

}  // namespace mishlab
