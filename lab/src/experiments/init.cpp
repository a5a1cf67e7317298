#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "mishlab/catalog.hpp"
#include "mishlab/error.hpp"
#include "mishlab/experiment.hpp"
#include "mishlab/lab.hpp"

namespace mishlab {

namespace {

void run(Options& o, CLI::App& cmd) {
  resolve_resume(o, "init", cmd);
  validate(o);
  if (o.inits.empty()) throw Error("--inits is empty");
  Experiment e{"init", o, {}};
  std::vector<GridRow> rows;
  Plot plot;
  for (size_t i = 0; i < o.inits.size(); ++i) {
    const std::string point = "init=" + o.inits[i];
    rows.push_back({o.inits[i], static_cast<double>(i),
                    [point](const RunResult& r) -> std::optional<double> {
                      if (r.spec.point != point) return std::nullopt;
                      return r.final_acc();
                    }});
    plot.xtics.emplace_back(static_cast<double>(i), o.inits[i]);
    for (int seed = 0; seed < o.seeds; ++seed) {
      for (const std::string& a : o.activations) {
        RunSpec s = base_spec(o);
        s.point = point;
        s.x = static_cast<double>(i);
        s.init = o.inits[i];
        s.activation = a;
        s.seed = seed;
        e.runs.push_back(s);
      }
    }
  }
  const Outcome out = run_experiment(e);
  plot.title = "Test accuracy by weight initialiser";
  plot.xlabel = "initialiser";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(
      out, rows, o.activations, plot, "mish-lab init: weight initialisers",
      "## Test accuracy (%) by weight initialiser\n\nConvolution and linear "
      "weights are drawn from the initialiser, biases start at zero; the "
      "network has no batch norm.\n\n",
      "initialiser", "init");
}

}  // namespace

void register_init(CLI::App& app) {
  auto o = std::make_shared<Options>();
  o->model = "cnn6";
  o->seeds = 1;
  o->epochs = 1;
  o->train_limit = 5000;
  o->inits = init_names();
  o->inits.erase(std::find(o->inits.begin(), o->inits.end(), "default"));
  CLI::App* cmd = app.add_subcommand(
      "init",
      "A 6-layer CNN without batch norm trained from each weight initialiser");
  add_common_options(*cmd, *o);
  cmd->add_option("--inits", o->inits, "Initialisers")
      ->delimiter(',')
      ->capture_default_str();
  cmd->callback([o, cmd] { run(*o, *cmd); });
}

}  // namespace mishlab
