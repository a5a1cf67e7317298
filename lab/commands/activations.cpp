// `mish-lab activations` (the lists of names) and `plot-activations`.
#include "train/activations.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "common/error.hpp"
#include "common/files.hpp"
#include "report/plot.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/schedules.hpp"

namespace mishlab {

namespace {

void list() {
  size_t width = 0;
  for (const auto& a : activation_catalog())
    width = std::max(width, a.name.size());
  for (const auto& a : activation_catalog()) {
    std::printf("%-*s  %s\n", static_cast<int>(width), a.name.c_str(),
                a.formula.c_str());
  }
  const auto line = [](const char* what,
                       const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    std::printf("\n%s: %s\n", what, s.c_str());
  };
  line("models", model_names());
  line("initialisers", init_names());
  line("optimizers", optimizer_names());
  line("schedules", schedule_names());
}

struct PlotOptions {
  std::vector<std::string> activations;
  std::string out;
  double from = -6;
  double to = 6;
};

void plot_activations(const PlotOptions& o) {
  std::vector<std::string> names = o.activations;
  if (names.empty()) {
    for (const auto& a : activation_catalog()) names.push_back(a.name);
  }
  for (const std::string& n : names) {
    const auto& known = activation_names();
    if (std::find(known.begin(), known.end(), n) == known.end()) {
      throw Error("--activations: unknown '" + n +
                  "' (see `mish-lab activations`)");
    }
  }
  if (!std::isfinite(o.from) || !std::isfinite(o.to) || !(o.from < o.to)) {
    throw Error("--from and --to: finite numbers with --from below --to");
  }
  if (!std::isfinite(o.to - o.from)) {  // the sample spacing would overflow
    throw Error("--from and --to: the range is wider than a double holds");
  }
  const std::filesystem::path dir =
      o.out.empty() ? "runs/activations-" + timestamp_now() : o.out;
  make_folder(dir);
  constexpr int kPoints = 481;
  std::vector<double> x;
  for (int i = 0; i < kPoints; ++i) {
    x.push_back(o.from + (o.to - o.from) * i / (kPoints - 1));
  }
  Plot values{"Activation functions", "x", "f(x)", {}, {}, NAN, NAN, 4};
  Plot grads{"Derivatives", "x", "f'(x)", {}, {}, NAN, NAN, 4};
  for (const std::string& n : names) {
    const Curve c = activation_curve(n, x);
    values.series.push_back({n, x, c.y, {}});
    grads.series.push_back({n + "'", x, c.dy, {}});
  }
  // The pictures are this command's whole output: without them it failed.
  const bool drawn = draw_plot(values, dir / "activations");
  if (!draw_plot(grads, dir / "derivatives") || !drawn) {
    throw Error(
        "plot-activations: gnuplot did not draw the plots (its "
        "scripts are " +
        dir.string() + "/activations.gp and derivatives.gp)");
  }
  std::printf("plots: %s/activations.{svg,png} and derivatives.{svg,png}\n",
              dir.c_str());
}

}  // namespace

void register_activation_commands(CLI::App& app) {
  app.add_subcommand("activations",
                     "List the activations (with formulas), models, "
                     "initialisers, optimizers and schedules")
      ->callback(list);
  auto o = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand("plot-activations",
                                     "Draw each activation and its derivative");
  cmd->add_option("--activations,-a", o->activations, "Default: all")
      ->delimiter(',');
  cmd->add_option("--out", o->out, "Output folder");
  cmd->add_option("--from", o->from, "Start of the x range")
      ->capture_default_str();
  cmd->add_option("--to", o->to, "End of the x range")->capture_default_str();
  cmd->callback([o] { plot_activations(*o); });
}

void register_commands(CLI::App& app) {
  register_compare(app);
  register_depth(app);
  register_noise(app);
  register_init(app);
  register_train(app);
  register_ablate(app);
  register_segment(app);
  register_generate(app);
  register_suite(app);
  register_activation_commands(app);
  add_report_command(app);
}

}  // namespace mishlab
