#include "commands/experiment.hpp"

#include <ATen/Parallel.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "commands/experiment_report.hpp"
#include "common/error.hpp"
#include "common/files.hpp"
#include "run/data.hpp"
#include "run/machine.hpp"

namespace mishlab {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kCommonFlags = {
    "activations", "seeds",    "epochs",       "data",      "train_limit",
    "test_limit",  "device",   "threads",      "out",       "resume",
    "quiet",       "model",    "init",         "optimizer", "schedule",
    "lr",          "momentum", "weight_decay", "batch_size"};

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
RunConfig resume_from(const fs::path& dir, const std::string& name,
                      const RunConfig& flags,
                      const std::vector<std::string>& given) {
  const fs::path file = dir / "config.json";
  if (!fs::is_regular_file(file)) {
    throw Error("--resume: " + file.string() + " does not exist");
  }
  json stored;
  try {
    stored = json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw Error("--resume: corrupt " + file.string() + ": " + e.what());
  }
  const auto experiment = stored.find("experiment");
  const auto settings = stored.find("settings");
  if (!stored.is_object() || experiment == stored.end() ||
      settings == stored.end()) {
    throw Error("--resume: corrupt " + file.string() +
                ": no experiment or settings");
  }
  if (*experiment != name) {
    const std::string held = experiment->is_string()
                                 ? experiment->get<std::string>()
                                 : experiment->dump();
    throw Error("--resume: " + dir.string() + " holds a '" + held +
                "' experiment, not '" + name + "'");
  }
  RunConfig config = resumed_config(flags, given, *settings, file.string());
  config.experiment.out = dir.string();
  return config;
}

// A fresh experiment's folder: --out, or runs/<name>-<date-time>; refused
// when it already holds an experiment.
fs::path new_folder(const RunConfig& config, const std::string& name) {
  const fs::path dir = config.experiment.out.empty()
                           ? fs::path("runs") / (name + "-" + timestamp_now())
                           : fs::path(config.experiment.out);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw Error("--out " + dir.string() + " is a file, not a folder");
  }
  if (fs::exists(dir / "config.json", ec)) {
    throw Error(dir.string() +
                " already holds an experiment: pass --resume to continue it "
                "or choose another --out");
  }
  return dir;
}

struct Command {
  ExperimentDefinition definition;
  std::vector<std::string> flags;  // the settings offered
  RunConfig config;                // what the flags write to
  ConfigFlags parsed;
};

// The driver: everything is checked (settings, folder, data) before the
// first file is written.
void drive(const Command& c) {
  const ExperimentDefinition& def = c.definition;
  RunConfig config = c.config;
  fs::path dir;
  if (config.experiment.resume) {
    dir = config.experiment.out.empty() ? newest_experiment(def.name)
                                        : fs::path(config.experiment.out);
    config = resume_from(dir, def.name, c.config, c.parsed.given());
  }
  check_settings(config);
  if (def.check) def.check(config);
  if (!config.experiment.resume) dir = new_folder(config, def.name);

  const int threads = config.experiment.threads;
  at::set_num_threads(threads > 0
                          ? threads
                          : static_cast<int>(std::max(
                                1U, std::thread::hardware_concurrency())));
  const c10::Device device = pick_device(config.experiment.device);
  ExperimentData data = open_data(config, device);
  Experiment experiment{def.name, stored_command_line(), config,
                        def.runs(config)};
  Finished finished{run_experiment(experiment, data, device, dir), config,
                    c.flags};
  def.report(finished);
}

}  // namespace

void add_experiment(CLI::App& app, ExperimentDefinition definition) {
  auto c = std::make_shared<Command>();
  c->definition = std::move(definition);
  const ExperimentDefinition& def = c->definition;
  for (const std::string& name : kCommonFlags) {
    if (std::find(def.hidden.begin(), def.hidden.end(), name) ==
        def.hidden.end()) {
      c->flags.push_back(name);
    }
  }
  c->flags.insert(c->flags.end(), def.flags.begin(), def.flags.end());
  if (def.defaults) def.defaults(c->config);
  CLI::App* cmd = app.add_subcommand(def.name, def.help);
  c->parsed.add_flags(*cmd, c->config, c->flags, def.aliases);
  cmd->callback([c] { drive(*c); });
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
