#include <CLI/CLI.hpp>
#include <memory>

#include "mishlab/error.hpp"
#include "mishlab/experiment.hpp"
#include "mishlab/lab.hpp"
#include "mishlab/report.hpp"

namespace mishlab {

namespace {

void run(Options& o, CLI::App& cmd) {
  resolve_resume(o, "noise", cmd);
  validate(o);
  if (o.noise.empty()) throw Error("--noise is empty");
  for (double n : o.noise) {
    if (!(n >= 0)) throw Error("--noise: standard deviations must be >= 0");
  }
  Experiment e{"noise", o, {}};
  for (int seed = 0; seed < o.seeds; ++seed) {
    for (const std::string& a : o.activations) {
      RunSpec s = base_spec(o);
      s.activation = a;
      s.seed = seed;
      s.noise = o.noise;
      e.runs.push_back(s);
    }
  }
  std::vector<GridRow> rows;
  for (size_t i = 0; i < o.noise.size(); ++i) {
    rows.push_back({fixed(o.noise[i], 2), o.noise[i],
                    [i](const RunResult& r) -> std::optional<double> {
                      return i < r.noise_acc.size() ? r.noise_acc[i] : NAN;
                    }});
  }
  const Outcome out = run_experiment(e);
  Plot plot;
  plot.title = "Test accuracy vs input noise";
  plot.xlabel = "std of Gaussian noise added to the standardised input";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(
      out, rows, o.activations, plot,
      "mish-lab noise: robustness to input noise",
      "## Test accuracy (%) with Gaussian input noise\n\nThe networks train "
      "on clean data; noise of the given standard deviation is added to the "
      "standardised test images.\n\n",
      "noise std", "noise");
}

}  // namespace

void register_noise(CLI::App& app) {
  auto o = std::make_shared<Options>();
  o->model = "cnn5";
  o->seeds = 1;
  o->epochs = 2;
  o->noise = {0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8};
  CLI::App* cmd = app.add_subcommand(
      "noise",
      "A 5-layer CNN trained on clean data, evaluated with Gaussian input "
      "noise of growing std");
  add_common_options(*cmd, *o);
  cmd->add_option("--noise", o->noise, "Noise standard deviations")
      ->delimiter(',')
      ->capture_default_str();
  cmd->callback([o, cmd] { run(*o, *cmd); });
}

}  // namespace mishlab
