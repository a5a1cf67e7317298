#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mishlab/options.hpp"

// Declared only: this header is also read by the lab's LibTorch-free base
// library (readers, reports), which never calls the functions taking it.
namespace c10 {
struct Device;
}

namespace mishlab {

// One training run: the point of the experiment it belongs to, the activation,
// the seed and everything needed to build and train the network.
struct RunSpec {
  std::string point;  // "depth=15"; empty when the experiment has one point
  double x = 0;       // the point as a number, for plots
  std::string activation;
  int seed = 0;
  std::string model;
  int depth = 0;  // blocks, for the models that take one
  int width = 0;  // units per block, likewise
  std::string init;
  std::string optimizer;
  std::string schedule;
  double lr = 0;
  double momentum = 0;
  double weight_decay = 0;
  int batch_size = 0;
  int epochs = 0;
  std::vector<double> noise;  // input-noise stds evaluated after training
  // Settings of plugged-in models and optimizers (lab/recipe).
  nlohmann::json extra = nlohmann::json::object();

  // File-name-safe and unique within an experiment: "depth=15-mish-s2".
  std::string id() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    RunSpec, point, x, activation, seed, model, depth, width, init, optimizer,
    schedule, lr, momentum, weight_decay, batch_size, epochs, noise, extra)

// The RunSpec fields that come straight from the options.
RunSpec base_spec(const Options& o);

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;
  double train_acc = 0;
  double test_loss = 0;
  double test_acc = 0;
  double seconds = 0;  // training time of the epoch, evaluation excluded
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EpochRecord, epoch, train_loss,
                                                train_acc, test_loss, test_acc,
                                                seconds)

struct RunResult {
  RunSpec spec;
  std::string status = "ok";  // or "diverged" (NaN or infinite loss)
  std::vector<EpochRecord> epochs;
  std::vector<double> noise_acc;  // one per spec.noise
  int resumed_at = 0;             // epoch a checkpoint restored, 0 if none

  bool ok() const { return status == "ok"; }
  // Test accuracy after the last epoch; NaN for a diverged run.
  double final_acc() const;
  double seconds_per_epoch() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunResult, spec, status, epochs,
                                                noise_acc, resumed_at)

struct Experiment {
  std::string name;  // the subcommand
  Options options;
  std::vector<RunSpec> runs;
};

struct Outcome {
  std::filesystem::path dir;
  std::vector<RunResult> results;  // in the order of Experiment::runs
  nlohmann::json config;           // what config.json holds
};

// Opens an experiment's data on the training device: what its runs train
// and are evaluated on (trainer.hpp). Throws Error on bad data.
struct RunData;
using OpenData = std::function<RunData(c10::Device device)>;

// Creates (or, with --resume, reopens) the output folder, opens the data,
// writes config.json (with `more_config` added), trains every run not
// finished yet with a checkpoint per epoch, and keeps results.csv current
// after each run. Throws Error on bad settings or data.
Outcome run_experiment(const Experiment& experiment, const OpenData& open,
                       const nlohmann::json& more_config);

// The same on the IDX or CIFAR files that --data names, held in memory.
Outcome run_experiment(const Experiment& experiment);

// results.csv: one row per run with its point, activation, seed and metrics.
std::string results_csv(const std::vector<RunResult>& results);

}  // namespace mishlab
