#include <CLI/CLI.hpp>
#include <memory>

#include "mishlab/error.hpp"
#include "mishlab/experiment.hpp"
#include "mishlab/lab.hpp"

namespace mishlab {

namespace {

void run(Options& o, CLI::App& cmd) {
  resolve_resume(o, "depth", cmd);
  validate(o);
  if (o.depths.empty()) throw Error("--depths is empty");
  Experiment e{"depth", o, {}};
  std::vector<GridRow> rows;
  for (int d : o.depths) {
    if (d < 1) throw Error("--depths: " + std::to_string(d) + " is below 1");
    const std::string point = "depth=" + std::to_string(d);
    rows.push_back({std::to_string(d), static_cast<double>(d),
                    [point](const RunResult& r) -> std::optional<double> {
                      if (r.spec.point != point) return std::nullopt;
                      return r.final_acc();
                    }});
    for (int seed = 0; seed < o.seeds; ++seed) {
      for (const std::string& a : o.activations) {
        RunSpec s = base_spec(o);
        s.point = point;
        s.x = d;
        s.depth = d;
        s.width = o.width;
        s.activation = a;
        s.seed = seed;
        e.runs.push_back(s);
      }
    }
  }
  const Outcome out = run_experiment(e);
  Plot plot;
  plot.title = "Test accuracy vs depth";
  plot.xlabel = "blocks (Linear " + std::to_string(o.width) +
                ", BatchNorm, activation, Dropout 0.25)";
  plot.ylabel = "test accuracy (%)";
  write_grid_report(out, rows, o.activations, plot,
                    "mish-lab depth: accuracy as the network deepens",
                    "## Test accuracy (%) by number of blocks of " +
                        std::to_string(o.width) + " units\n\n",
                    "depth", "depth");
}

}  // namespace

void register_depth(CLI::App& app) {
  auto o = std::make_shared<Options>();
  o->model = "deep";
  o->optimizer = "sgd";
  o->lr = 0.01;
  o->momentum = 0;
  o->seeds = 1;
  o->epochs = 3;
  o->depths = {5, 10, 15, 20, 25};
  CLI::App* cmd = app.add_subcommand(
      "depth",
      "Fully connected nets of D blocks (Linear 500, BatchNorm, activation, "
      "Dropout 0.25) for each depth and activation (paper Fig. 4a)");
  add_common_options(*cmd, *o);
  cmd->add_option("--depths", o->depths, "Numbers of blocks")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--width", o->width, "Units per block (the paper: 500)")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  cmd->callback([o, cmd] { run(*o, *cmd); });
}

}  // namespace mishlab
