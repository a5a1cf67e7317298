// `mish-lab noise`: robustness to Gaussian input noise.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "report/table.hpp"

namespace mishlab {

namespace {

void report(const Finished& f) {
  const std::vector<double>& noise = f.config.experiment.noise;
  std::vector<GridRow> rows;
  for (size_t i = 0; i < noise.size(); ++i) {
    rows.push_back({fixed(noise[i], 2), noise[i],
                    [i](const RunResult& r) -> std::optional<double> {
                      return i < r.noise_acc.size() ? r.noise_acc[i] : NAN;
                    }});
  }
  Plot plot;
  plot.title = "Test accuracy vs input noise";
  plot.xlabel = "std of Gaussian noise added to the standardised input";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(
      f, rows, plot, "mish-lab noise: robustness to input noise",
      "## Test accuracy (%) with Gaussian input noise\n\nThe networks train "
      "on clean data; noise of the given standard deviation is added to the "
      "standardised test images.\n\n",
      "noise std", "noise");
}

}  // namespace

void register_noise(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "noise";
  def.help =
      "A 5-layer CNN trained on clean data, evaluated with Gaussian input "
      "noise of growing std";
  def.flags = {"noise"};
  def.defaults = [](RunConfig& c) {
    c.train.model = "cnn5";
    c.train.epochs = 2;
    c.experiment.seeds = 1;
  };
  def.runs = [](const RunConfig& c) {
    return grid(c,
                {{"", 0, [&c](RunSpec& r) { r.noise = c.experiment.noise; }}});
  };
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
