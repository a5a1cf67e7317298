#include "report/plot.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/files.hpp"

extern char** environ;

namespace mishlab {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

void write_series(std::ostringstream& gp, const Plot& plot) {
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& s = plot.series[i];
    gp << "$d" << i << " << EOD\n";
    for (size_t j = 0; j < s.x.size(); ++j) {
      if (!std::isfinite(s.y[j])) continue;
      gp << s.x[j] << ' ' << s.y[j];
      if (!s.err.empty()) gp << ' ' << (std::isfinite(s.err[j]) ? s.err[j] : 0);
      gp << '\n';
    }
    gp << "EOD\n";
  }
}

void write_axes(std::ostringstream& gp, const Plot& plot) {
  gp << "set xlabel " << quoted(plot.xlabel) << "\nset ylabel "
     << quoted(plot.ylabel) << "\nset grid\nset key outside right top\n";
  if (!std::isnan(plot.ymin) || !std::isnan(plot.ymax)) {
    gp << "set yrange ["
       << (std::isnan(plot.ymin) ? "*" : std::to_string(plot.ymin)) << ":"
       << (std::isnan(plot.ymax) ? "*" : std::to_string(plot.ymax)) << "]\n";
  }
  double lo = INFINITY, hi = -INFINITY;
  for (const Series& s : plot.series) {
    for (double x : s.x) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  // One point (a single epoch) would leave gnuplot an empty range.
  if (lo == hi) gp << "set xrange [" << lo - 1 << ":" << hi + 1 << "]\n";
  if (!plot.xtics.empty()) {
    gp << "set xtics rotate by -30 (";
    for (size_t i = 0; i < plot.xtics.size(); ++i) {
      gp << (i ? ", " : "") << quoted(plot.xtics[i].second) << ' '
         << plot.xtics[i].first;
    }
    gp << ")\n";
  }
}

std::string plot_command(const Plot& plot, size_t i) {
  const Series& s = plot.series[i];
  std::ostringstream cmd;
  // Dense curves (activation functions) read better without point marks.
  const char* style = !s.err.empty()    ? " using 1:2:3 with yerrorlines"
                      : s.x.size() > 50 ? " using 1:2 with lines"
                                        : " using 1:2 with linespoints";
  cmd << "$d" << i << style << " lw 2 title " << quoted(s.title);
  return cmd.str();
}

void write_plots(std::ostringstream& gp, const Plot& plot) {
  if (plot.columns > 0) {
    const size_t rows = (plot.series.size() + plot.columns - 1) / plot.columns;
    gp << "set multiplot layout " << rows << "," << plot.columns << " title "
       << quoted(plot.title) << "\nset key inside left top\n";
    for (size_t i = 0; i < plot.series.size(); ++i) {
      gp << "plot " << plot_command(plot, i) << "\n";
    }
    gp << "unset multiplot\n";
    return;
  }
  gp << "set title " << quoted(plot.title) << "\nplot ";
  for (size_t i = 0; i < plot.series.size(); ++i) {
    gp << (i ? ", \\\n     " : "") << plot_command(plot, i);
  }
  gp << "\n";
}

std::string script(const Plot& plot, const std::filesystem::path& base) {
  const int width = plot.columns > 0 ? 300 * plot.columns : 800;
  const size_t rows =
      plot.columns > 0 ? (plot.series.size() + plot.columns - 1) / plot.columns
                       : 1;
  const int height = plot.columns > 0 ? static_cast<int>(220 * rows) : 500;
  const std::string size = std::to_string(width) + "," + std::to_string(height);
  std::ostringstream gp;
  gp << "# Drawn by mish-lab; rerun with: gnuplot " << base.filename().string()
     << ".gp\nset encoding utf8\n";
  write_series(gp, plot);
  write_axes(gp, plot);
  gp << "set terminal svg noenhanced size " << size
     << " dynamic background '#ffffff'\n"
     << "set output " << quoted(base.string() + ".svg") << "\n";
  write_plots(gp, plot);
  gp << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n  set terminal "
        "pngcairo noenhanced size "
     << size << "\n} else {\n  set terminal png noenhanced size " << size
     << "\n}\n"
     << "set output " << quoted(base.string() + ".png") << "\n";
  write_plots(gp, plot);
  gp << "unset output\n";
  return gp.str();
}

}  // namespace

bool draw_plot(const Plot& plot, const std::filesystem::path& base) {
  static bool warned = false;
  const std::string gp_path = base.string() + ".gp";
  write_file_atomic(gp_path, script(plot, base));
  std::error_code ec;
  for (const char* ext : {".svg", ".png"}) {
    std::filesystem::remove(base.string() + ext, ec);  // no stale drawing
  }
  char arg0[] = "gnuplot";
  std::string arg1 = gp_path;
  char* argv[] = {arg0, arg1.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ) != 0) {
    if (!warned) {
      std::fprintf(stderr,
                   "warning: gnuplot not found, plots skipped (install "
                   "gnuplot-nox and rerun %s)\n",
                   gp_path.c_str());
    }
    warned = true;
    return false;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  // gnuplot exits 0 even when it could not write an output file.
  for (const char* ext : {".svg", ".png"}) {
    const std::filesystem::path image = base.string() + ext;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::filesystem::file_size(image, ec) == 0 || ec) {
      std::fprintf(stderr, "warning: gnuplot could not draw %s (rerun %s)\n",
                   image.c_str(), gp_path.c_str());
      for (const char* broken : {".svg", ".png"}) {  // no half-drawn file
        std::filesystem::remove(base.string() + broken, ec);
      }
      return false;
    }
  }
  return true;
}

}  // namespace mishlab
