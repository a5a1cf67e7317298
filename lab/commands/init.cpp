// `mish-lab init`: a CNN without batch norm trained from each initialiser.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {

namespace {

std::string point(const std::string& init) { return "init=" + init; }

std::vector<RunSpec> runs(const RunConfig& c) {
  std::vector<GridPoint> points;
  const auto& inits = c.experiment.inits;
  for (size_t i = 0; i < inits.size(); ++i) {
    points.push_back({point(inits[i]), static_cast<double>(i),
                      [init = inits[i]](RunSpec& r) { r.train.init = init; }});
  }
  return grid(c, points);
}

void report(const Finished& f) {
  const auto& inits = f.config.experiment.inits;
  std::vector<GridRow> rows;
  Plot plot;
  for (size_t i = 0; i < inits.size(); ++i) {
    rows.push_back(
        point_row(inits[i], static_cast<double>(i), point(inits[i])));
    plot.xtics.emplace_back(static_cast<double>(i), inits[i]);
  }
  plot.title = "Test accuracy by weight initialiser";
  plot.xlabel = "initialiser";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(
      f, rows, plot, "mish-lab init: weight initialisers",
      "## Test accuracy (%) by weight initialiser\n\nConvolution and linear "
      "weights are drawn from the initialiser, biases start at zero; the "
      "network has no batch norm.\n\n",
      "initialiser", "init");
}

}  // namespace

void register_init(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "init";
  def.help =
      "A 6-layer CNN without batch norm trained from each weight initialiser";
  def.flags = {"inits"};
  def.hidden = {"init"};  // the grid sets it per point
  def.defaults = [](RunConfig& c) {
    c.train.model = "cnn6";
    c.train.epochs = 1;
    c.experiment.seeds = 1;
    c.experiment.train_limit = 5000;
  };
  def.runs = runs;
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
