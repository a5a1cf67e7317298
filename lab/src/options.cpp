#include "mishlab/options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <thread>

#include "mishlab/catalog.hpp"
#include "mishlab/error.hpp"
#include "mishlab/files.hpp"

namespace mishlab {

namespace fs = std::filesystem;

void add_common_options(CLI::App& cmd, Options& o) {
  if (o.threads == 0) {
    o.threads =
        static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  }
  cmd.add_option("--activations,-a", o.activations,
                 "Activations to compare (see `mish-lab activations`)")
      ->delimiter(',')
      ->capture_default_str();
  cmd.add_option("--seeds", o.seeds, "Runs per setting, seeds 0..N-1")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd.add_option("--epochs", o.epochs, "Training epochs per run")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd.add_option("--data", o.data,
                 "Folder with MNIST-style IDX files (gzipped or not), "
                 "CIFAR-10 or CIFAR-100 binaries")
      ->capture_default_str();
  cmd.add_option("--train-limit", o.train_limit,
                 "Use the first N training examples (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--test-limit", o.test_limit,
                 "Use the first N test examples (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--device", o.device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  cmd.add_option("--threads", o.threads,
                 "CPU threads for LibTorch (on a busy machine also set "
                 "OMP_WAIT_POLICY=passive: spinning threads slow it down)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd.add_option("--out", o.out,
                 "Output folder (default runs/<experiment>-<date-time>)");
  cmd.add_flag("--resume", o.resume,
               "Continue the run in --out (or the newest one) with its stored "
               "settings: finished runs are kept, an interrupted one restarts "
               "from its checkpoint");
  cmd.add_flag("--quiet,-q", o.quiet, "No progress output");
  cmd.add_option("--model", o.model, "Network (see `mish-lab activations`)")
      ->capture_default_str();
  cmd.add_option("--init", o.init, "Weight initialiser")->capture_default_str();
  cmd.add_option("--optimizer", o.optimizer, "Optimizer")
      ->capture_default_str();
  cmd.add_option("--schedule", o.schedule, "Learning-rate schedule")
      ->capture_default_str();
  cmd.add_option("--lr", o.lr, "Learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "Momentum (SGD)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd.add_option("--weight-decay", o.weight_decay, "Weight decay")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--batch-size", o.batch_size, "Examples per step")
      ->check(CLI::Range(2, 1 << 20))
      ->capture_default_str();
}

namespace {

void check_name(const std::string& what, const std::string& name,
                const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), name) != known.end()) return;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw Error("unknown " + what + " '" + name + "' (known: " + list + ")");
}

}  // namespace

void check_activation_names(const std::vector<std::string>& names) {
  std::vector<std::string> known;
  for (const auto& info : activation_catalog()) known.push_back(info.name);
  for (const auto& a : names) {
    check_name("activation", a, known);
    if (std::count(names.begin(), names.end(), a) > 1) {
      throw Error("--activations names '" + a + "' twice");
    }
  }
}

void validate(const Options& o) {
  if (o.activations.empty()) throw Error("--activations is empty");
  check_activation_names(o.activations);
  check_name("model", o.model, model_names());
  check_name("initialiser", o.init, init_names());
  for (const auto& i : o.inits) check_name("initialiser", i, init_names());
  check_name("optimizer", o.optimizer, optimizer_names());
  check_name("schedule", o.schedule, schedule_names());
}

void resolve_resume(Options& o, const std::string& experiment, CLI::App& cmd) {
  if (!o.resume) return;
  fs::path dir = o.out;
  if (dir.empty()) {
    // Folder names end in a sortable date-time: the newest sorts last.
    const std::string prefix = experiment + "-";
    if (fs::is_directory("runs")) {
      for (const auto& entry : fs::directory_iterator("runs")) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && entry.path() > dir)
          dir = entry.path();
      }
    }
    if (dir.empty()) {
      throw Error("--resume: no runs/" + prefix + "* folder; pass --out DIR");
    }
  }
  const fs::path config = dir / "config.json";
  if (!fs::is_regular_file(config)) {
    throw Error("--resume: " + config.string() + " does not exist");
  }
  Options stored;
  try {
    const auto j = nlohmann::json::parse(read_file(config));
    if (j.value("experiment", "") != experiment) {
      throw Error("--resume: " + dir.string() + " holds a '" +
                  j.value("experiment", "?") + "' experiment, not '" +
                  experiment + "'");
    }
    stored = j.at("settings").get<Options>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("--resume: corrupt " + config.string() + ": " + e.what());
  }
  stored.threads = o.threads;
  stored.device = o.device;
  stored.quiet = o.quiet;
  stored.resume = true;
  stored.out = dir.string();
  refuse_changed_flags(
      cmd, config.string(), [&] { o = stored; },
      [&] { return nlohmann::json(o); });
}

namespace {

// Flags that --resume takes from the command line: --resume and --out find
// the experiment, the others are the machine's.
bool resume_keeps(const CLI::Option& flag) {
  for (const char* name :
       {"resume", "out", "threads", "device", "quiet", "workers"}) {
    if (flag.check_lname(name)) return true;
  }
  return false;
}

std::string shown(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

void refuse_changed_flags(CLI::App& cmd, const std::string& where,
                          const std::function<void()>& restore,
                          const std::function<nlohmann::json()>& read) {
  restore();
  const nlohmann::json stored = read();
  for (CLI::Option* flag : cmd.get_options()) {
    if (flag->count() == 0 || resume_keeps(*flag)) continue;
    flag->run_callback();  // writes the value given once more
    const nlohmann::json given = read();
    restore();
    for (auto it = stored.begin(); it != stored.end(); ++it) {
      if (given.at(it.key()) == it.value()) continue;
      throw Error("--resume: " + flag->get_name() + " " +
                  shown(given.at(it.key())) + " differs from " +
                  shown(it.value()) + " stored in " + where +
                  "; leave the flag out or choose another --out");
    }
  }
}

namespace {

std::string& stored_command_line() {
  static std::string line;
  return line;
}

}  // namespace

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

const std::string& command_line() { return stored_command_line(); }

}  // namespace mishlab
