#include <algorithm>
#include <cmath>
#include <cstdio>

#include "mishlab/experiment.hpp"
#include "mishlab/files.hpp"
#include "mishlab/report.hpp"

namespace mishlab {

using nlohmann::json;

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
      std::string text = percent(c.summary.mean);
      if (c.summary.n > 1) text += " ± " + percent(c.summary.std);
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
  const auto number = [](double v) {
    return std::isfinite(v) ? json(v) : json();
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t a = 0; a < activations.size(); ++a) {
      const GridCell& c = cells[i][a];
      out.push_back(
          {{"point", rows[i].label},
           {"x", rows[i].x},
           {"activation", activations[a]},
           {"runs", c.summary.n},
           {"diverged", c.diverged},
           {"mean_acc", number(c.summary.mean)},
           {"std_acc", number(c.summary.std)},
           {"ci95", {number(c.summary.ci_low), number(c.summary.ci_high)}}});
    }
  }
  return out;
}

Plot training_curves(const std::vector<RunResult>& results,
                     const std::vector<std::string>& activations,
                     const std::string& title) {
  Plot plot;
  plot.title = title;
  plot.xlabel = "epoch";
  plot.ylabel = "test accuracy (%)";
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
        sum[i] += e.test_acc * 100;
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

std::string plot_into_report(const Outcome& out, const Plot& plot,
                             const std::string& name) {
  if (!draw_plot(plot, out.dir / name)) return "";
  return "![" + plot.title + "](" + name + ".svg)\n\n";
}

namespace {

// What the runs trained with: the settings' optimizer and schedule, or each
// pair a grid (ablate) sets per run.
std::string optimizer_line(const Outcome& out, const json& s) {
  const std::string lr = s.at("lr").dump();
  std::vector<std::string> pairs;
  for (const RunResult& r : out.results) {
    const std::string pair = r.spec.optimizer + "+" + r.spec.schedule;
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
      pairs.push_back(pair);
    }
  }
  if (pairs.size() < 2) {
    return "optimizer " + s.at("optimizer").get<std::string>() + " (lr " + lr +
           ", schedule " + s.at("schedule").get<std::string>() + ")";
  }
  std::string list;
  for (const auto& p : pairs) list += (list.empty() ? "" : " or ") + p;
  return "optimizer + schedule " + list + " (lr " + lr + ")";
}

}  // namespace

void write_report(const Outcome& out, const std::string& title,
                  const std::string& body, const json& summary) {
  const json& c = out.config;
  const json& s = c.at("settings");
  const json& d = c.at("data");
  const json& m = c.at("machine");
  std::string md = "# " + title + "\n\n";
  md += "Command: `" + c.value("command", std::string()) + "`\n\n";
  if (const auto resumed = c.find("resumed"); resumed != c.end()) {
    md += "Resumed " + std::to_string(resumed->size()) + " time(s), last: `" +
          resumed->back().at("command").get<std::string>() + "`\n\n";
  }
  md += "- data: " + d.at("folder").get<std::string>() + " (" +
        d.at("format").get<std::string>() + "), " +
        d.at("train_examples").dump() + " training and " +
        d.at("test_examples").dump() + " test examples\n";
  md += "- training: model " + s.at("model").get<std::string>() + ", " +
        s.at("epochs").dump() + " epochs, batch " + s.at("batch_size").dump() +
        ", " + optimizer_line(out, s) + ", init " +
        s.at("init").get<std::string>() + ", " + s.at("seeds").dump() +
        " seed(s)\n";
  md += "- machine: " + m.at("host").get<std::string>() + ", " +
        m.at("device").get<std::string>() + ", " + m.at("threads").dump() +
        " threads, BLAS " +
        m.value("blas", json::object()).value("name", std::string("unknown")) +
        "; LibTorch " + c.at("versions").at("libtorch").get<std::string>() +
        ", mish " + c.at("versions").at("mish").get<std::string>() +
        "; started " + c.at("started").get<std::string>() + "\n\n";
  md += body;
  md +=
      "\nFiles: `results.csv` (one row per run), `summary.json`, "
      "`config.json` (every setting), `runs/` (per-run epochs).\n";
  json full = {{"experiment", c.at("experiment")}, {"results", summary}};
  write_file_atomic(out.dir / "summary.json", full.dump(2) + "\n");
  write_file_atomic(out.dir / "report.md", md);
  std::printf("report: %s\n", (out.dir / "report.md").c_str());
}

void write_grid_report(const Outcome& out, const std::vector<GridRow>& rows,
                       const std::vector<std::string>& activations, Plot plot,
                       const std::string& title, const std::string& heading,
                       const std::string& row_header, const std::string& name) {
  const auto cells = grid_cells(out.results, rows, activations);
  plot.series = grid_series(rows, activations, cells);
  std::string body =
      heading + grid_table(rows, activations, cells, row_header) + "\n";
  body += plot_into_report(out, plot, name);
  write_report(out, title, body, grid_summary(rows, activations, cells));
}

}  // namespace mishlab
