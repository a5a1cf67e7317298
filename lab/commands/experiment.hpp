#pragma once

// An experiment subcommand is a definition: its name and help, the settings
// it offers as flags and their defaults, the grid of runs, and its report.
// One driver owns the rest: flags, --resume, validation, output folder,
// data, the run loop and writing the report.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commands/experiment_report.hpp"
#include "run/config.hpp"
#include "run/runner.hpp"

namespace CLI {
class App;
}

namespace mishlab {

struct ExperimentDefinition {
  // Explicit, so that the struct is no aggregate: a definition cannot be
  // filled by position, each command names the fields it sets.
  explicit ExperimentDefinition() = default;

  std::string name;
  std::string help;
  // Settings offered as flags besides kCommonFlags (minus `hidden`, which
  // names common ones only).
  std::vector<std::string> flags;
  std::vector<std::string> hidden;
  // More spellings of a flag: {"batch_size", "--bs"}.
  std::multimap<std::string, std::string> aliases;
  // The command's defaults, applied to a default RunConfig.
  std::function<void(RunConfig&)> defaults;
  // What the declarations cannot check (e.g. the baseline is among the
  // activations); throws Error. Optional.
  std::function<void(const RunConfig&)> check;
  // The runs, in the order they train (grid() builds the usual one).
  std::function<std::vector<RunSpec>(const RunConfig&)> runs;
  // Writes report.md and summary.json (commands/experiment_report.hpp).
  std::function<void(const Finished&)> report;
  // Settings that follow from others unless their flags were given (the
  // names in `given`), for a fresh experiment (a resumed one keeps what it
  // stored). Optional.
  std::function<void(RunConfig&, const std::vector<std::string>& given)>
      settle = nullptr;
};

// The settings every training subcommand offers.
extern const std::vector<std::string> kCommonFlags;

// Throws Error unless --baseline is among --activations.
void check_baseline(const RunConfig& config);

// Adds the subcommand; its callback is the driver. A flag name no setting
// declares (in `flags`, `hidden` or `aliases`) throws std::logic_error. The
// command trains the task of its default model (train/task.hpp): a --model of
// another task is refused. Scaled out: a shard
// (--shard, or the Slurm array task) trains its share of the runs into a
// shared --out and leaves the report to `mish-lab report`; under torchrun or
// srun every run trains data-parallel and rank 0 writes.
void add_experiment(CLI::App& app, ExperimentDefinition definition);

// `mish-lab report DIR`, for any experiment added before it is called.
void add_report_command(CLI::App& app);

// One point of an experiment's grid and what it changes in a run.
struct GridPoint {
  std::string name;  // RunSpec::point: "depth=15", or "" for a single point
  double x = 0;
  std::function<void(RunSpec&)> apply;
};

// Every point x seed x activation, points outermost, activations innermost;
// each run starts from config.train.
std::vector<RunSpec> grid(const RunConfig& config,
                          const std::vector<GridPoint>& points);

// The command line as typed, for config.json and report.md.
void set_command_line(int argc, const char* const* argv);

}  // namespace mishlab
