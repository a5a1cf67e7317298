#include "commands/experiment_report.hpp"

#include <cmath>
#include <cstdio>

#include "common/files.hpp"
#include "report/table.hpp"
#include "train/task.hpp"

namespace mishlab {

using nlohmann::json;

namespace {

struct GridCell {
  Summary summary;  // over the finite values
  size_t diverged = 0;
};

// cells[row][activation]
std::vector<std::vector<GridCell>> grid_cells(
    const std::vector<RunResult>& results, const std::vector<GridRow>& rows,
    const std::vector<std::string>& activations) {
  std::vector<std::vector<GridCell>> cells(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (const std::string& act : activations) {
      std::vector<double> values;
      GridCell cell;
      for (const RunResult& r : results) {
        if (r.spec.activation != act) continue;
        const std::optional<double> v = rows[i].value(r);
        if (!v) continue;
        if (std::isfinite(*v)) {
          values.push_back(*v);
        } else {
          ++cell.diverged;
        }
      }
      cell.summary = summarize(values);
      cells[i].push_back(cell);
    }
  }
  return cells;
}

std::string grid_table(const std::vector<GridRow>& rows,
                       const std::vector<std::string>& activations,
                       const std::vector<std::vector<GridCell>>& cells,
                       const std::string& row_header) {
  std::vector<std::string> header{row_header};
  for (const auto& a : activations) header.push_back(a);
  Table table(header);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> line{rows[i].label};
    for (const GridCell& c : cells[i]) {
      std::string text = mean_std(c.summary);
      if (c.diverged > 0)
        text += " (" + std::to_string(c.diverged) + " diverged)";
      line.push_back(text);
    }
    table.add(line);
  }
  return table.markdown();
}

std::vector<Series> grid_series(
    const std::vector<GridRow>& rows,
    const std::vector<std::string>& activations,
    const std::vector<std::vector<GridCell>>& cells) {
  std::vector<Series> series;
  for (size_t a = 0; a < activations.size(); ++a) {
    Series s{activations[a], {}, {}, {}};
    for (size_t i = 0; i < rows.size(); ++i) {
      const Summary& sum = cells[i][a].summary;
      s.x.push_back(rows[i].x);
      s.y.push_back(sum.mean * 100);
      s.err.push_back(sum.std * 100);
    }
    series.push_back(std::move(s));
  }
  return series;
}

json grid_summary(const std::vector<GridRow>& rows,
                  const std::vector<std::string>& activations,
                  const std::vector<std::vector<GridCell>>& cells) {
  json out = json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t a = 0; a < activations.size(); ++a) {
      const GridCell& c = cells[i][a];
      out.push_back(
          {{"point", rows[i].label},
           {"x", rows[i].x},
           {"activation", activations[a]},
           {"runs", c.summary.n},
           {"diverged", c.diverged},
           {"mean_acc", json_number(c.summary.mean)},
           {"std_acc", json_number(c.summary.std)},
           {"ci95",
            {json_number(c.summary.ci_low), json_number(c.summary.ci_high)}}});
    }
  }
  return out;
}

}  // namespace

GridRow point_row(std::string label, double x, std::string point) {
  return {
      std::move(label), x,
      [point = std::move(point)](const RunResult& r) -> std::optional<double> {
        if (r.spec.point != point) return std::nullopt;
        return r.final_acc();
      }};
}

Plot training_curves(const std::vector<RunResult>& results,
                     const std::vector<std::string>& activations,
                     const std::string& title, const std::string& ylabel,
                     double scale) {
  Plot plot;
  plot.title = title;
  plot.xlabel = "epoch";
  plot.ylabel = ylabel;
  for (const std::string& act : activations) {
    std::vector<double> sum;
    std::vector<int> count;
    for (const RunResult& r : results) {
      if (r.spec.activation != act || !r.ok()) continue;
      for (const EpochRecord& e : r.epochs) {
        const size_t i = static_cast<size_t>(e.epoch - 1);
        if (sum.size() <= i) {
          sum.resize(i + 1, 0);
          count.resize(i + 1, 0);
        }
        sum[i] += e.test_acc * scale;
        ++count[i];
      }
    }
    Series s{act, {}, {}, {}};
    for (size_t i = 0; i < sum.size(); ++i) {
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(sum[i] / count[i]);
    }
    plot.series.push_back(std::move(s));
  }
  return plot;
}

std::string plot_into_report(const Finished& f, const Plot& plot,
                             const std::string& name) {
  if (!draw_plot(plot, f.outcome.dir / name)) return "";
  return "![" + plot.title + "](" + name + ".svg)\n\n";
}

void write_report(const Finished& f, const std::string& title,
                  const std::string& body, const json& summary) {
  const json& c = f.outcome.config;
  const json& d = c.at("data");
  const json& m = c.at("machine");
  const json& blas = m.at("blas");
  std::string md = "# " + title + "\n\n";
  md += "Command: `" + c.value("command", std::string()) + "`\n\n";
  if (const auto resumed = c.find("resumed"); resumed != c.end()) {
    md += "Resumed " + std::to_string(resumed->size()) + " time(s), last: `" +
          resumed->back().at("command").get<std::string>() + "`\n\n";
  }
  md += "- settings: `" + settings_as_flags(f.config, f.flags) + "`\n";
  md += "- data: " + d.at("folder").get<std::string>() + " (" +
        d.at("format").get<std::string>() + "), " +
        d.at("train_examples").dump() + " training and " +
        d.at("test_examples").dump() + " test examples, " +
        d.at("classes").dump() + " classes\n";
  md += "- machine: " + m.at("host").get<std::string>() + ", " +
        m.at("device").get<std::string>() + ", " + m.at("threads").dump() +
        " threads, BLAS " + blas.at("name").get<std::string>() + "; LibTorch " +
        c.at("versions").at("libtorch").get<std::string>() + ", mish " +
        c.at("versions").at("mish").get<std::string>() + "; started " +
        c.at("started").get<std::string>() + "\n\n";
  md += body;
  md +=
      "\nFiles: `results.csv` (one row per run), `summary.json`, "
      "`config.json` (every setting), `runs/` (per-run epochs).\n";
  json full = {{"experiment", c.at("experiment")}, {"results", summary}};
  write_file_atomic(f.outcome.dir / "summary.json", full.dump(2) + "\n");
  write_file_atomic(f.outcome.dir / "report.md", md);
  std::printf("report: %s\n", (f.outcome.dir / "report.md").c_str());
}

void write_grid_report(const Finished& f, const std::vector<GridRow>& rows,
                       Plot plot, const std::string& title,
                       const std::string& heading,
                       const std::string& row_header, const std::string& name) {
  const auto& activations = f.config.experiment.activations;
  const auto cells = grid_cells(f.outcome.results, rows, activations);
  plot.series = grid_series(rows, activations, cells);
  std::string body =
      heading + grid_table(rows, activations, cells, row_header) + "\n";
  body += plot_into_report(f, plot, name);
  write_report(f, title, body, grid_summary(rows, activations, cells));
}

namespace {

// One metric's table rows and summary.json entries, and the verdicts.
std::string metric_section(const Finished& f, const MetricInfo& m,
                           nlohmann::json& summary) {
  const ExperimentSettings& o = f.config.experiment;
  const auto values = [&](const std::string& activation) {
    std::vector<double> v;
    for (const RunResult& r : f.outcome.results) {
      const double x = r.final_metric(m.name);
      if (r.spec.activation == activation && std::isfinite(x)) v.push_back(x);
    }
    return v;
  };
  const std::vector<double> base = values(o.baseline);
  const Summary b = summarize(base);
  // Welch's p of each activation against the baseline, and Holm's
  // adjustment over those comparisons.
  std::vector<double> p;
  for (const std::string& a : o.activations) {
    p.push_back(a == o.baseline ? NAN : welch_t_test(values(a), base).p);
  }
  const std::vector<double> p_holm = holm_adjust(p);
  Table table({"activation", "runs", m.label + " (mean ± std)", "95% CI",
               "Δ vs " + o.baseline, "Δ 95% CI", "p (Welch)", "p (Holm)",
               "Cohen's d"});
  std::string verdicts;
  for (size_t i = 0; i < o.activations.size(); ++i) {
    const std::string& a = o.activations[i];
    const std::vector<double> v = values(a);
    const Summary s = summarize(v);
    const bool is_base = a == o.baseline;
    const WelchResult w =
        is_base ? WelchResult{NAN, NAN, NAN} : welch_t_test(v, base);
    const Interval dci = is_base ? Interval{NAN, NAN} : welch_interval(v, base);
    const double delta = is_base ? NAN : s.mean - b.mean;
    const double d = is_base ? NAN : cohens_d(v, base);
    Summary diff;
    diff.ci_low = dci.low;
    diff.ci_high = dci.high;
    table.add({a, std::to_string(s.n), mean_std(s, m.scale, m.digits),
               ci_range(s, m.scale, m.digits), fixed(delta * m.scale, m.digits),
               is_base ? "" : ci_range(diff, m.scale, m.digits), p_value(w.p),
               p_value(p_holm[i]), fixed(d, 2)});
    summary.push_back(
        {{"metric", m.name},
         {"higher_is_better", m.higher_is_better},
         {"activation", a},
         {"runs", s.n},
         {"values", v},
         {"mean", json_number(s.mean)},
         {"std", json_number(s.std)},
         {"ci95", {json_number(s.ci_low), json_number(s.ci_high)}},
         {"delta_vs_baseline", json_number(delta)},
         {"delta_ci95", {json_number(dci.low), json_number(dci.high)}},
         {"p_value", json_number(w.p)},
         {"p_holm", json_number(p_holm[i])},
         {"cohens_d", json_number(d)}});
    if (!is_base && std::isfinite(w.p)) {
      const bool better = m.higher_is_better ? delta > 0 : delta < 0;
      verdicts +=
          "- " + a + " vs " + o.baseline + ": " + (delta >= 0 ? "+" : "") +
          fixed(delta * m.scale, m.digits) + " (" +
          (delta == 0 ? "equal"
           : better   ? "better"
                      : "worse") +
          "), p = " + p_value(w.p) +
          (w.p < 0.05 ? " (significant at 5%)" : " (not significant at 5%)") +
          "\n";
    }
  }
  return "### " + m.label + " (" + (m.higher_is_better ? "higher" : "lower") +
         " is better)\n\n" + table.markdown() + "\n" + verdicts + "\n";
}

}  // namespace

void write_task_report(const Finished& f, const std::string& title,
                       const std::string& more) {
  const std::shared_ptr<const Task> task =
      task_for_model(f.config.train.model,
                     f.outcome.config.at("data").at("classes").get<int64_t>());
  const std::vector<MetricInfo> metrics = task->metrics();
  json summary = json::array();
  std::string body = "## " + task->name() + ": test metrics after " +
                     std::to_string(f.config.train.epochs) + " epochs\n\n";
  for (const MetricInfo& m : metrics) body += metric_section(f, m, summary);
  body += "p: two-sided Welch t-test against " + f.config.experiment.baseline +
          ", and Holm's adjustment over the activations compared with it; "
          "Δ 95% CI: Welch's interval of the difference; d: Cohen's d "
          "(pooled std).\n\n";
  body += more;
  body += plot_into_report(
      f,
      training_curves(f.outcome.results, f.config.experiment.activations,
                      "Test " + metrics[0].name + " by epoch",
                      "test " + metrics[0].label, metrics[0].scale),
      "curves");
  write_report(f, title, body,
               {{"task", task->name()},
                {"baseline", f.config.experiment.baseline},
                {"metrics", summary}});
}

}  // namespace mishlab
