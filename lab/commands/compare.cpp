// `mish-lab compare`: activations x seeds on one model, each against a
// baseline.
#include <algorithm>
#include <cmath>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "report/table.hpp"

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

void report(const Finished& f) {
  const ExperimentSettings& o = f.config.experiment;
  std::vector<ActivationStats> stats =
      collect(f.outcome.results, o.activations);
  const ActivationStats base = *std::find_if(
      stats.begin(), stats.end(),
      [&](const ActivationStats& s) { return s.name == o.baseline; });
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
         mean_std(m), ci_range(m), fixed(delta, 2), p_value(w.p), fixed(d, 2),
         fixed(s.seconds_per_epoch, 2), fixed(ratio, 2)});
    summary.push_back(
        {{"activation", s.name},
         {"runs", m.n},
         {"diverged", s.diverged},
         {"accuracies", s.acc},
         {"mean_acc", json_number(m.mean)},
         {"std_acc", json_number(m.std)},
         {"ci95", {json_number(m.ci_low), json_number(m.ci_high)}},
         {"delta_vs_baseline", json_number(delta / 100)},
         {"welch_t", json_number(w.t)},
         {"welch_df", json_number(w.df)},
         {"p_value", json_number(w.p)},
         {"cohens_d", json_number(d)},
         {"seconds_per_epoch", json_number(s.seconds_per_epoch)},
         {"time_ratio", json_number(ratio)}});
    if (!is_base && std::isfinite(w.p)) {
      verdicts +=
          "- " + s.name + " vs " + o.baseline + ": " + (delta >= 0 ? "+" : "") +
          fixed(delta, 2) + " pp, p = " + p_value(w.p) +
          (w.p < 0.05 ? " (significant at 5%)" : " (not significant at 5%)") +
          "\n";
    }
  }
  std::string body = "## Test accuracy after " +
                     std::to_string(f.config.train.epochs) + " epochs\n\n" +
                     table.markdown() + "\n" + verdicts +
                     "\np: two-sided Welch t-test against " + o.baseline +
                     "; d: Cohen's d (pooled std); time: training time per "
                     "epoch.\n\n";
  body += plot_into_report(f,
                           training_curves(f.outcome.results, o.activations,
                                           "Test accuracy by epoch"),
                           "curves");
  write_report(f,
               "mish-lab compare: " + std::to_string(o.activations.size()) +
                   " activations x " + std::to_string(o.seeds) + " seeds",
               body, {{"baseline", o.baseline}, {"activations", summary}});
}

}  // namespace

void register_compare(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "compare";
  def.help =
      "Activations x seeds on one model: mean ± std, 95% CI, Welch p-value "
      "and Cohen's d against a baseline, time per epoch";
  def.flags = {"baseline"};
  def.defaults = [](RunConfig& c) {
    c.experiment.seeds = 3;
    c.train.epochs = 2;
  };
  def.check = check_baseline;
  def.runs = [](const RunConfig& c) { return grid(c, {{}}); };
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
