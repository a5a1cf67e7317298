#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <memory>

#include "mishlab/error.hpp"
#include "mishlab/experiment.hpp"
#include "mishlab/lab.hpp"
#include "mishlab/report.hpp"

namespace mishlab {

using nlohmann::json;

namespace {

struct ActivationStats {
  std::string name;
  std::vector<double> acc;
  size_t diverged = 0;
  double seconds_per_epoch = NAN;
};

std::vector<ActivationStats> collect(const std::vector<RunResult>& results,
                                     const std::vector<std::string>& acts) {
  std::vector<ActivationStats> out;
  for (const std::string& a : acts) {
    ActivationStats s{a, {}, 0, NAN};
    std::vector<double> times;
    for (const RunResult& r : results) {
      if (r.spec.activation != a) continue;
      if (r.ok()) {
        s.acc.push_back(r.final_acc());
        times.push_back(r.seconds_per_epoch());
      } else {
        ++s.diverged;
      }
    }
    s.seconds_per_epoch = summarize(times).mean;
    out.push_back(std::move(s));
  }
  return out;
}

void report(const Outcome& out, const Options& o) {
  std::vector<ActivationStats> stats = collect(out.results, o.activations);
  const auto base_it = std::find_if(
      stats.begin(), stats.end(),
      [&](const ActivationStats& s) { return s.name == o.baseline; });
  const ActivationStats base = *base_it;
  std::stable_sort(stats.begin(), stats.end(),
                   [](const auto& a, const auto& b) {
                     return summarize(a.acc).mean > summarize(b.acc).mean;
                   });
  Table table({"activation", "runs", "accuracy % (mean ± std)", "95% CI",
               "Δ vs " + o.baseline + " (pp)", "p (Welch)", "Cohen's d",
               "s/epoch", "time × " + o.baseline});
  json summary = json::array();
  std::string verdicts;
  const Summary b = summarize(base.acc);
  for (const ActivationStats& s : stats) {
    const Summary m = summarize(s.acc);
    const bool is_base = s.name == o.baseline;
    const WelchResult w =
        is_base ? WelchResult{NAN, NAN, NAN} : welch_t_test(s.acc, base.acc);
    const double d = is_base ? NAN : cohens_d(s.acc, base.acc);
    const double delta = is_base ? NAN : (m.mean - b.mean) * 100;
    const double ratio = s.seconds_per_epoch / base.seconds_per_epoch;
    table.add(
        {s.name,
         std::to_string(m.n) +
             (s.diverged ? " (+" + std::to_string(s.diverged) + " diverged)"
                         : ""),
         percent(m.mean) + " ± " + percent(m.std),
         percent(m.ci_low) + " – " + percent(m.ci_high), fixed(delta, 2),
         p_value(w.p), fixed(d, 2), fixed(s.seconds_per_epoch, 2),
         fixed(ratio, 2)});
    const auto num = [](double v) {
      return std::isfinite(v) ? json(v) : json();
    };
    summary.push_back({{"activation", s.name},
                       {"runs", m.n},
                       {"diverged", s.diverged},
                       {"accuracies", s.acc},
                       {"mean_acc", num(m.mean)},
                       {"std_acc", num(m.std)},
                       {"ci95", {num(m.ci_low), num(m.ci_high)}},
                       {"delta_vs_baseline", num(delta / 100)},
                       {"welch_t", num(w.t)},
                       {"welch_df", num(w.df)},
                       {"p_value", num(w.p)},
                       {"cohens_d", num(d)},
                       {"seconds_per_epoch", num(s.seconds_per_epoch)},
                       {"time_ratio", num(ratio)}});
    if (!is_base && std::isfinite(w.p)) {
      verdicts +=
          "- " + s.name + " vs " + o.baseline + ": " + (delta >= 0 ? "+" : "") +
          fixed(delta, 2) + " pp, p = " + p_value(w.p) +
          (w.p < 0.05 ? " (significant at 5%)" : " (not significant at 5%)") +
          "\n";
    }
  }
  std::string body = "## Test accuracy after " + std::to_string(o.epochs) +
                     " epochs\n\n" + table.markdown() + "\n" + verdicts +
                     "\np: two-sided Welch t-test against " + o.baseline +
                     "; d: Cohen's d (pooled std); time: training time per "
                     "epoch.\n\n";
  body += plot_into_report(
      out,
      training_curves(out.results, o.activations, "Test accuracy by epoch"),
      "curves");
  write_report(out,
               "mish-lab compare: " + std::to_string(o.activations.size()) +
                   " activations x " + std::to_string(o.seeds) + " seeds",
               body, {{"baseline", o.baseline}, {"activations", summary}});
}

void run(Options& o, CLI::App& cmd) {
  resolve_resume(o, "compare", cmd);
  validate(o);
  if (std::find(o.activations.begin(), o.activations.end(), o.baseline) ==
      o.activations.end()) {
    throw Error("--baseline " + o.baseline + " is not among --activations");
  }
  Experiment e{"compare", o, {}};
  for (int seed = 0; seed < o.seeds; ++seed) {
    for (const std::string& a : o.activations) {
      RunSpec s = base_spec(o);
      s.activation = a;
      s.seed = seed;
      e.runs.push_back(s);
    }
  }
  report(run_experiment(e), o);
}

}  // namespace

void register_compare(CLI::App& app) {
  auto o = std::make_shared<Options>();
  o->seeds = 3;
  o->epochs = 2;
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Activations x seeds on one model: mean ± std, 95% CI, Welch p-value "
      "and Cohen's d against a baseline, time per epoch");
  add_common_options(*cmd, *o);
  cmd->add_option("--baseline", o->baseline, "Activation to test against")
      ->capture_default_str();
  cmd->callback([o, cmd] { run(*o, *cmd); });
}

}  // namespace mishlab
