#pragma once

#include <c10/core/Device.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "run/config.hpp"
#include "run/data.hpp"
#include "run/results.hpp"
#include "run/shard.hpp"
#include "train/distributed.hpp"

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
  // Whether this process writes the report: not a data-parallel rank other
  // than 0, not one shard of a sweep (`mish-lab report` merges those).
  bool writes = true;
};

// How this process takes part in a scaled-out experiment.
struct Participation {
  Group* group = nullptr;      // data-parallel ranks (torchrun, srun)
  std::optional<Shard> shard;  // a share of a sweep (a job array's task)
};

// Creates the output folder `dir` (with config.resume, reopens it), writes
// config.json, trains every run not finished yet with a checkpoint per
// epoch, and keeps results.csv current after each run. Throws Error on a
// failed write, naming the file; the experiment can then be resumed.
//
// A shard trains only its share of the runs, into a folder other shards may
// share: the first writes config.json, the others check it holds their
// settings; none writes results.csv. Data-parallel, each run trains over
// the group, every rank must have rank 0's settings and data, and only
// rank 0 writes.
Outcome run_experiment(const Experiment& experiment, DataSets& data,
                       c10::Device device, const std::filesystem::path& dir,
                       const Participation& participation = {});

// The runs of `experiment` finished in `dir` (whoever trained them), in run
// order, with config.json as stored; writes results.csv; `missing` gets
// the ids of the others.
Outcome collect_finished(const Experiment& experiment,
                         const std::filesystem::path& dir,
                         std::vector<std::string>* missing);

}  // namespace mishlab
