#pragma once

#include <c10/core/Device.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/config.hpp"
#include "run/data.hpp"
#include "run/results.hpp"

namespace mishlab {

struct Experiment {
  std::string name;     // the subcommand
  std::string command;  // the command line as typed
  RunConfig config;
  std::vector<RunSpec> runs;
};

struct Outcome {
  std::filesystem::path dir;
  std::vector<RunResult> results;  // in the order of Experiment::runs
  nlohmann::json config;           // what config.json holds
};

// Creates the output folder `dir` (with config.resume, reopens it), writes
// config.json, trains every run not finished yet with a checkpoint per
// epoch, and keeps results.csv current after each run. Throws Error on a
// failed write, naming the file; the experiment can then be resumed.
Outcome run_experiment(const Experiment& experiment, ExperimentData& data,
                       c10::Device device, const std::filesystem::path& dir);

}  // namespace mishlab
