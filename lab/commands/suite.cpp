// `mish-lab suite`: many benchmarks (model x task x settings), each with
// every activation and seed; per benchmark Welch's test against the
// baseline in the metric's direction, per activation the wins, ties and
// losses, raw and significant after Holm's correction over the benchmarks.
#include <algorithm>
#include <cmath>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "report/table.hpp"
#include "run/suites.hpp"
#include "train/task.hpp"

namespace mishlab {

using nlohmann::json;

namespace {

// One activation on one benchmark against the baseline, signed so that a
// positive gain is better in the metric's direction.
struct Comparison {
  Summary mine;
  Summary base;
  double delta = NAN;  // mean - baseline mean
  Interval ci{NAN, NAN};
  double p = NAN;
  double p_holm = NAN;    // over the benchmarks, for this activation
  int sign = 0;           // +1 better, -1 worse, 0 equal (or not measured)
  double relative = NAN;  // signed delta / |baseline mean|
};

std::vector<double> values(const Finished& f, const std::string& point,
                           const std::string& activation,
                           const std::string& metric) {
  std::vector<double> v;
  for (const RunResult& r : f.outcome.results) {
    const double x = r.final_metric(metric);
    if (r.spec.point == point && r.spec.activation == activation &&
        std::isfinite(x)) {
      v.push_back(x);
    }
  }
  return v;
}

void report(const Finished& f) {
  const ExperimentSettings& o = f.config.experiment;
  const std::vector<Benchmark> benchmarks = suite_benchmarks(o.suite);
  std::vector<std::string> rivals;
  for (const std::string& a : o.activations) {
    if (a != o.baseline) rivals.push_back(a);
  }
  // The main metric of each benchmark's task (from a run of it).
  std::vector<MetricInfo> metrics;
  for (const Benchmark& b : benchmarks) {
    RunSpec r;
    b.apply(r);
    metrics.push_back(task_for_model(r.train.model, 0)->metrics()[0]);
  }
  // cmp[activation][benchmark]
  std::vector<std::vector<Comparison>> cmp(rivals.size());
  for (size_t a = 0; a < rivals.size(); ++a) {
    std::vector<double> p;
    for (size_t b = 0; b < benchmarks.size(); ++b) {
      const std::string& m = metrics[b].name;
      const std::vector<double> mine =
          values(f, benchmarks[b].name, rivals[a], m);
      const std::vector<double> base =
          values(f, benchmarks[b].name, o.baseline, m);
      Comparison c;
      c.mine = summarize(mine);
      c.base = summarize(base);
      c.delta = c.mine.mean - c.base.mean;
      c.ci = welch_interval(mine, base);
      c.p = welch_t_test(mine, base).p;
      const double gain = metrics[b].higher_is_better ? c.delta : -c.delta;
      c.sign = gain > 0 ? 1 : gain < 0 ? -1 : 0;
      c.relative = gain / std::fabs(c.base.mean);
      p.push_back(c.p);
      cmp[a].push_back(c);
    }
    const std::vector<double> adjusted = holm_adjust(p);
    for (size_t b = 0; b < benchmarks.size(); ++b) {
      cmp[a][b].p_holm = adjusted[b];
    }
  }

  Table per({"benchmark", "metric", "activation", "mean ± std",
             o.baseline + " mean ± std", "Δ", "Δ 95% CI", "p (Welch)",
             "p (Holm)", "result"});
  json per_json = json::array();
  for (size_t b = 0; b < benchmarks.size(); ++b) {
    const MetricInfo& m = metrics[b];
    for (size_t a = 0; a < rivals.size(); ++a) {
      const Comparison& c = cmp[a][b];
      Summary ci;
      ci.ci_low = c.ci.low;
      ci.ci_high = c.ci.high;
      const bool significant = c.p_holm < 0.05;
      const std::string result = c.sign > 0   ? "better"
                                 : c.sign < 0 ? "worse"
                                              : "equal";
      per.add({benchmarks[b].name, m.label + (m.higher_is_better ? " ↑" : " ↓"),
               rivals[a], mean_std(c.mine, m.scale, m.digits),
               mean_std(c.base, m.scale, m.digits),
               fixed(c.delta * m.scale, m.digits),
               ci_range(ci, m.scale, m.digits), p_value(c.p), p_value(c.p_holm),
               result + (significant ? " (significant)" : "")});
      per_json.push_back(
          {{"benchmark", benchmarks[b].name},
           {"metric", m.name},
           {"higher_is_better", m.higher_is_better},
           {"activation", rivals[a]},
           {"runs", c.mine.n},
           {"mean", json_number(c.mine.mean)},
           {"std", json_number(c.mine.std)},
           {"baseline_runs", c.base.n},
           {"baseline_mean", json_number(c.base.mean)},
           {"baseline_std", json_number(c.base.std)},
           {"delta", json_number(c.delta)},
           {"delta_ci95", {json_number(c.ci.low), json_number(c.ci.high)}},
           {"p_value", json_number(c.p)},
           {"p_holm", json_number(c.p_holm)},
           {"relative_gain", json_number(c.relative)}});
    }
  }

  Table overall({"activation", "wins", "ties", "losses", "significant wins",
                 "ties (n.s.)", "significant losses",
                 "average relative gain (%)"});
  json overall_json = json::array();
  for (size_t a = 0; a < rivals.size(); ++a) {
    int raw[3] = {0, 0, 0};  // wins, ties, losses
    int sig[3] = {0, 0, 0};
    double gain_sum = 0;
    int gains = 0;
    for (const Comparison& c : cmp[a]) {
      ++raw[1 - c.sign];
      ++sig[c.p_holm < 0.05 ? 1 - c.sign : 1];
      if (std::isfinite(c.relative)) {
        gain_sum += c.relative;
        ++gains;
      }
    }
    const double average = gains ? gain_sum / gains : NAN;
    overall.add({rivals[a], std::to_string(raw[0]), std::to_string(raw[1]),
                 std::to_string(raw[2]), std::to_string(sig[0]),
                 std::to_string(sig[1]), std::to_string(sig[2]),
                 fixed(average * 100, 2)});
    overall_json.push_back({{"activation", rivals[a]},
                            {"wins", raw[0]},
                            {"ties", raw[1]},
                            {"losses", raw[2]},
                            {"significant_wins", sig[0]},
                            {"not_significant", sig[1]},
                            {"significant_losses", sig[2]},
                            {"average_relative_gain", json_number(average)}});
  }

  // Relative Δ per benchmark, positive = better, with its 95% interval.
  Plot plot;
  plot.title = "Gain against " + o.baseline +
               " per benchmark (% of its mean, positive = better), 95% CI";
  plot.xlabel = "benchmark";
  plot.ylabel = "relative gain (%)";
  for (size_t b = 0; b < benchmarks.size(); ++b) {
    plot.xtics.push_back({static_cast<double>(b), benchmarks[b].name});
  }
  for (size_t a = 0; a < rivals.size(); ++a) {
    Series s{rivals[a], {}, {}, {}};
    for (size_t b = 0; b < benchmarks.size(); ++b) {
      const Comparison& c = cmp[a][b];
      // Offset so that the activations' bars stand side by side.
      s.x.push_back(static_cast<double>(b) +
                    0.1 * (static_cast<double>(a) -
                           static_cast<double>(rivals.size() - 1) / 2));
      s.y.push_back(c.relative * 100);
      s.err.push_back((c.ci.high - c.ci.low) / 2 / std::fabs(c.base.mean) *
                      100);
    }
    plot.series.push_back(std::move(s));
  }

  std::string body =
      "## Per activation over " + std::to_string(benchmarks.size()) +
      " benchmarks (suite " + o.suite + ")\n\n" + overall.markdown() +
      "\nWins, ties and losses against " + o.baseline +
      ": raw (the sign of the difference of the means, in each metric's "
      "direction), then significant at 5 % after Holm's correction over the "
      "benchmarks (two-sided Welch tests). Relative gain: the difference "
      "over the baseline's mean, signed so that positive is better, averaged "
      "over the benchmarks.\n\n";
  body += plot_into_report(f, plot, "gains");
  body += "## Per benchmark\n\n" + per.markdown() +
          "\n↑: higher is better, ↓: lower is better. Each benchmark's main "
          "metric on the test set after its last epoch.\n\n";
  write_report(f,
               "mish-lab suite " + o.suite + ": " +
                   std::to_string(benchmarks.size()) + " benchmarks x " +
                   std::to_string(o.activations.size()) + " activations x " +
                   std::to_string(o.seeds) + " seeds",
               body,
               {{"suite", o.suite},
                {"baseline", o.baseline},
                {"overall", overall_json},
                {"benchmarks", per_json}});
}

std::vector<RunSpec> runs(const RunConfig& c) {
  std::vector<GridPoint> points;
  for (Benchmark& b : suite_benchmarks(c.experiment.suite)) {
    points.push_back(
        {b.name, static_cast<double>(points.size()), std::move(b.apply)});
  }
  return grid(c, points);
}

}  // namespace

void register_suite(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "suite";
  def.help =
      "Many benchmarks (classification: cnn, mlp, resnet20, a 10-block deep "
      "network; segmentation: U-Net on Fashion-MNIST scenes; "
      "reconstruction: autoencoder; adversarial generation: DCGAN), each "
      "with every activation and seed (data: --suite quick 2000 training "
      "and 1000 test examples, paper all, unless --train-limit or "
      "--test-limit is given): "
      "per benchmark mean ± std, Δ and Welch p against the baseline in the "
      "metric's direction; per activation wins, ties and losses, raw and "
      "significant after Holm's correction, and the average relative gain";
  def.flags = {"baseline", "suite", "cache"};
  def.hidden = {"model"};
  // Three epochs of 16 steps fit the quick suite's quarter hour on 2 cores
  // (docs/RESULTS.md, section 8); after one, ResNet-20 and the deep network
  // were still near chance.
  def.defaults = [](RunConfig& c) {
    c.experiment.seeds = 3;
    c.train.epochs = 3;
  };
  def.check = check_baseline;
  def.runs = runs;
  def.report = report;
  def.settle = [](RunConfig& c, const std::vector<std::string>& given) {
    const SuiteLimits limits = suite_limits(c.experiment.suite);
    const auto typed = [&](const char* name) {
      return std::find(given.begin(), given.end(), name) != given.end();
    };
    if (!typed("train_limit")) c.experiment.train_limit = limits.train;
    if (!typed("test_limit")) c.experiment.test_limit = limits.test;
  };
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
