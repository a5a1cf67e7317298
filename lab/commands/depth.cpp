// `mish-lab depth`: fully connected nets of growing depth (paper Fig. 4a).
#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {

namespace {

std::string point(int depth) { return "depth=" + std::to_string(depth); }

std::vector<RunSpec> runs(const RunConfig& c) {
  std::vector<GridPoint> points;
  for (int d : c.experiment.depths) {
    points.push_back(
        {point(d), static_cast<double>(d), [d](RunSpec& r) { r.depth = d; }});
  }
  return grid(c, points);
}

void report(const Finished& f) {
  std::vector<GridRow> rows;
  for (int d : f.config.experiment.depths) {
    rows.push_back(point_row(std::to_string(d), d, point(d)));
  }
  const std::string width = std::to_string(f.config.train.width);
  Plot plot;
  plot.title = "Test accuracy vs depth";
  plot.xlabel =
      "blocks (Linear " + width + ", BatchNorm, activation, " + "Dropout 0.25)";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(
      f, rows, plot, "mish-lab depth: accuracy as the network deepens",
      "## Test accuracy (%) by number of blocks of " + width + " units\n\n",
      "depth", "depth");
}

}  // namespace

void register_depth(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "depth";
  def.help =
      "Fully connected nets of D blocks (Linear 500, BatchNorm, activation, "
      "Dropout 0.25) for each depth and activation (paper Fig. 4a)";
  def.flags = {"depths", "width"};
  def.defaults = [](RunConfig& c) {
    c.train.model = "deep";
    c.train.optimizer = "sgd";
    c.train.lr = 0.01;
    c.train.momentum = 0;
    c.train.epochs = 3;
    c.experiment.seeds = 1;
  };
  def.runs = runs;
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
