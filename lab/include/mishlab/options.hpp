#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mishlab {

// Every setting of an experiment. Subcommands expose the flags that matter to
// them with their own defaults; config.json stores the whole struct, which is
// what --resume restores.
struct Options {
  std::vector<std::string> activations{"mish", "swish", "relu"};
  int seeds = 3;
  int epochs = 2;
  std::string data = "/usr/share/datasets/fashion-mnist";
  int64_t train_limit = 10000;  // 0: all examples
  int64_t test_limit = 2000;
  std::string device = "auto";
  int threads = 0;  // 0: one per hardware thread
  std::string out;  // empty: runs/<experiment>-<date-time>
  bool resume = false;
  bool quiet = false;
  std::string model = "cnn";
  std::string init = "default";
  std::string optimizer = "adam";
  std::string schedule = "constant";
  double lr = 1e-3;
  double momentum = 0.9;
  double weight_decay = 0;
  int batch_size = 128;
  // Experiment axes.
  std::vector<int> depths;
  int width = 500;  // units per block of the depth test
  std::vector<double> noise;
  std::vector<std::string> inits;
  std::string baseline = "relu";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Options, activations, seeds, epochs, data, train_limit, test_limit, device,
    threads, out, resume, quiet, model, init, optimizer, schedule, lr, momentum,
    weight_decay, batch_size, depths, noise, inits, baseline)

// Adds the flags shared by every training subcommand (the defaults are the
// values already in `o`) and checks names against the registries.
void add_common_options(CLI::App& cmd, Options& o);

// Throws Error naming the first unknown or repeated activation.
void check_activation_names(const std::vector<std::string>& names);

// Checks the option values that flag parsing cannot (names in registries,
// baseline among the activations); throws Error.
void validate(const Options& o);

// With --resume: finds the output folder (--out, else the newest
// runs/<experiment>-*) and reloads the settings stored in its config.json,
// keeping the machine-specific ones (threads, device, quiet) from the flags.
// `o` is what the flags of `cmd` write to; any other flag given with a value
// that differs from the stored one throws Error.
void resolve_resume(Options& o, const std::string& experiment, CLI::App& cmd);

// The check of resolve_resume for settings kept elsewhere (lab/recipe):
// throws Error naming the first flag given on `cmd` that would change the
// settings stored in `where`. `restore` puts the stored settings into what
// the flags write to, `read` returns that as JSON.
void refuse_changed_flags(CLI::App& cmd, const std::string& where,
                          const std::function<void()>& restore,
                          const std::function<nlohmann::json()>& read);

// The command line as typed, recorded in config.json and report.md.
void set_command_line(int argc, const char* const* argv);
const std::string& command_line();

}  // namespace mishlab
