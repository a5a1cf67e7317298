#include "commands/experiment.hpp"

#include <ATen/Parallel.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "commands/experiment_report.hpp"
#include "common/environment.hpp"
#include "common/error.hpp"
#include "common/files.hpp"
#include "run/config_json.hpp"
#include "run/data.hpp"
#include "run/machine.hpp"
#include "run/shard.hpp"
#include "train/distributed.hpp"
#include "train/task.hpp"

namespace mishlab {

namespace fs = std::filesystem;

const std::vector<std::string> kCommonFlags = {
    "activations",  "seeds",        "epochs",
    "data",         "train_limit",  "test_limit",
    "device",       "threads",      "out",
    "resume",       "quiet",        "model",
    "init",         "optimizer",    "schedule",
    "lr",           "momentum",     "weight_decay",
    "batch_size",   "shard",        "dist_join_timeout",
    "dist_timeout", "fused_bn_mish"};

namespace {

std::string& stored_command_line() {
  static std::string line;
  return line;
}

// The newest runs/<name>-<date-time> folder that holds an experiment
// (folder names sort by date).
fs::path newest_experiment(const std::string& name) {
  const std::string prefix = name + "-";
  fs::path newest;
  std::error_code ec;
  if (fs::is_directory("runs", ec)) {
    for (const auto& entry : fs::directory_iterator("runs")) {
      const std::string folder = entry.path().filename().string();
      if (folder.rfind(prefix, 0) == 0 &&
          fs::is_regular_file(entry.path() / "config.json", ec) &&
          entry.path() > newest) {
        newest = entry.path();
      }
    }
  }
  if (newest.empty()) {
    throw Error("--resume: no runs/" + prefix +
                "* folder holds an experiment; pass --out DIR");
  }
  return newest;
}

// --resume: the settings stored in `dir`, with the machine's from the flags.
RunConfig resume_from(const fs::path& dir, const StoredConfig& stored,
                      const std::string& name, const RunConfig& flags,
                      const std::vector<std::string>& given) {
  if (stored.experiment != name) {
    throw Error("--resume: " + dir.string() + " holds a '" + stored.experiment +
                "' experiment, not '" + name + "'");
  }
  RunConfig config =
      resumed_config(flags, given, stored.settings, stored.file.string());
  config.experiment.out = dir.string();
  return config;
}

// A fresh experiment's folder: --out, or runs/<name>-<date-time>; refused
// when it already holds an experiment, unless the other shards of a sweep
// share it.
fs::path new_folder(const RunConfig& config, const std::string& name,
                    bool shard) {
  if (shard && config.experiment.out.empty()) {
    throw Error(
        "a shard of a sweep needs --out: the folder every shard "
        "shares");
  }
  const fs::path dir = config.experiment.out.empty()
                           ? fs::path("runs") / (name + "-" + timestamp_now())
                           : fs::path(config.experiment.out);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw Error("--out " + dir.string() + " is a file, not a folder");
  }
  if (!shard && fs::exists(dir / "config.json", ec)) {
    throw Error(dir.string() +
                " already holds an experiment: pass --resume to continue it "
                "or choose another --out");
  }
  return dir;
}

struct Command {
  ExperimentDefinition definition;
  std::string task;                // of the command's default model
  std::vector<std::string> flags;  // the settings offered
  RunConfig config;                // what the flags write to
  ConfigFlags parsed;
};

// The driver: everything is checked (settings, folder, data) before the
// first file is written.
void drive(const Command& c) {
  const ExperimentDefinition& def = c.definition;
  RunConfig config = c.config;
  const Getenv env = process_environment();
  const std::optional<Launch> launch = launch_from_env(env);
  // torchrun --max_restarts restarts a failed group with the same command:
  // it continues from the checkpoints in --out.
  if (launch && launch->restart_count > 0 && !config.experiment.out.empty() &&
      fs::exists(fs::path(config.experiment.out) / "config.json")) {
    config.experiment.resume = true;
  }
  fs::path dir;
  if (config.experiment.resume) {
    dir = config.experiment.out.empty() ? newest_experiment(def.name)
                                        : fs::path(config.experiment.out);
    config = resume_from(dir, read_config_json(dir), def.name, c.config,
                         c.parsed.given());
    config.experiment.resume = true;
  } else if (def.settle) {
    def.settle(config, c.parsed.given());
  }
  check_settings(config);
  if (const std::string task = task_name(config.train.model);
      task_family(task) != task_family(c.task)) {
    throw Error("--model " + config.train.model + " is a " + task +
                " model; `mish-lab " + def.name + "` trains " +
                task_family(c.task) + " models");
  }
  if (def.check) def.check(config);
  const std::optional<Shard> shard = pick_shard(config.experiment.shard, env);
  if (!config.experiment.resume) {
    dir = new_folder(config, def.name, shard.has_value());
  }

  // The processes torchrun starts on one machine share its cores.
  const char* local = env("LOCAL_WORLD_SIZE");
  const unsigned share =
      launch && local ? static_cast<unsigned>(std::max(1, std::atoi(local)))
                      : 1U;
  const int threads = config.experiment.threads;
  at::set_num_threads(
      threads > 0 ? threads
                  : static_cast<int>(std::max(
                        1U, std::thread::hardware_concurrency() / share)));
  c10::Device device = pick_device(config.experiment.device);
  if (launch && device.is_cuda()) {  // one GPU per process of a machine
    device = c10::Device(c10::kCUDA,
                         static_cast<c10::DeviceIndex>(launch->local_rank));
  }
  std::vector<RunSpec> runs = def.runs(config);
  DataSets data(config, runs, device);
  std::unique_ptr<Group> group;
  if (launch) {
    auto ms = [](double seconds) {
      return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    };
    group = std::make_unique<Group>(*launch, device,
                                    ms(config.experiment.dist_timeout),
                                    ms(config.experiment.dist_join_timeout));
  }
  Experiment experiment{def.name, stored_command_line(), config,
                        std::move(runs)};
  Finished finished{
      run_experiment(experiment, data, device, dir, {group.get(), shard}),
      config, c.flags};
  if (finished.outcome.writes) def.report(finished);
}

// Every experiment subcommand by name, for `mish-lab report`.
std::map<std::string, std::shared_ptr<const Command>>& commands() {
  static std::map<std::string, std::shared_ptr<const Command>> all;
  return all;
}

// The report of the experiment in `dir` from the runs finished there, by
// whichever processes (shards of a job array, an interrupted run).
void report_folder(const fs::path& dir) {
  const StoredConfig stored = read_config_json(dir);
  const std::string& name = stored.experiment;
  const auto it = commands().find(name);
  if (it == commands().end()) {
    throw Error(stored.file.string() + " names an unknown experiment '" + name +
                "'");
  }
  const Command& c = *it->second;
  RunConfig config = resume_from(dir, stored, name, c.config, {});
  config.experiment.resume = true;
  Experiment experiment{name, stored_command_line(), config,
                        c.definition.runs(config)};
  std::vector<std::string> missing;
  Finished finished{collect_finished(experiment, dir, &missing), config,
                    c.flags};
  if (!missing.empty()) {
    std::string ids;
    for (const std::string& id : missing) ids += " " + id;
    std::fprintf(stderr,
                 "%zu of %zu runs not finished yet (left out of the "
                 "report):%s\n",
                 missing.size(), experiment.runs.size(), ids.c_str());
  }
  if (finished.outcome.results.empty()) {
    throw Error("no run in " + dir.string() + " has finished yet");
  }
  c.definition.report(finished);
}

}  // namespace

void add_experiment(CLI::App& app, ExperimentDefinition definition) {
  auto c = std::make_shared<Command>();
  c->definition = std::move(definition);
  const ExperimentDefinition& def = c->definition;
  for (const std::string& name : def.hidden) {
    if (std::find(kCommonFlags.begin(), kCommonFlags.end(), name) ==
        kCommonFlags.end()) {
      throw std::logic_error("mish-lab " + def.name + " hides '" + name +
                             "', which is no common flag");
    }
  }
  for (const std::string& name : kCommonFlags) {
    if (std::find(def.hidden.begin(), def.hidden.end(), name) ==
        def.hidden.end()) {
      c->flags.push_back(name);
    }
  }
  c->flags.insert(c->flags.end(), def.flags.begin(), def.flags.end());
  if (def.defaults) def.defaults(c->config);
  c->task = task_name(c->config.train.model);
  CLI::App* cmd = app.add_subcommand(def.name, def.help);
  c->parsed.add_flags(*cmd, c->config, c->flags, def.aliases);
  cmd->callback([c] { drive(*c); });
  commands()[def.name] = c;
}

void check_baseline(const RunConfig& config) {
  const auto& acts = config.experiment.activations;
  if (std::find(acts.begin(), acts.end(), config.experiment.baseline) ==
      acts.end()) {
    throw Error("--baseline " + config.experiment.baseline +
                " is not among --activations");
  }
}

void add_report_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Rewrite results.csv, summary.json, report.md and the plots of an "
      "experiment folder from the runs finished there (e.g. by the shards "
      "of a job array), naming the runs still missing");
  cmd->add_option("dir", *dir, "The experiment's --out folder")->required();
  cmd->callback([dir] { report_folder(*dir); });
}

std::vector<RunSpec> grid(const RunConfig& config,
                          const std::vector<GridPoint>& points) {
  std::vector<RunSpec> runs;
  for (const GridPoint& point : points) {
    for (int seed = 0; seed < config.experiment.seeds; ++seed) {
      for (const std::string& activation : config.experiment.activations) {
        RunSpec r;
        r.point = point.name;
        r.x = point.x;
        r.activation = activation;
        r.seed = seed;
        r.train = config.train;
        if (point.apply) point.apply(r);
        runs.push_back(std::move(r));
      }
    }
  }
  return runs;
}

void set_command_line(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    const bool plain =
        !arg.empty() &&
        arg.find_first_of(" \t'\"$\\*?;&|<>()") == std::string::npos;
    line += (i ? " " : "") + (plain ? arg : "'" + arg + "'");
  }
  stored_command_line() = line;
}

}  // namespace mishlab
