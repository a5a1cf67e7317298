#pragma once

// The one typed configuration of an experiment: what it runs (the
// experiment settings below) and what each run trains with
// (train/settings.hpp), each setting declared once. The command line,
// config.json, --resume and the report header all come from these
// declarations, so a setting cannot be stored, restored or shown wrongly.

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/setting.hpp"
#include "run/suites.hpp"
#include "train/activations.hpp"
#include "train/settings.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace mishlab {

// Every initialiser but "default": the init experiment's points.
std::vector<std::string> default_inits();

// clang-format off
#define MISHLAB_EXPERIMENT_SETTINGS(X)                                         \
  X(std::vector<std::string>, activations,                                     \
    (std::vector<std::string>{"mish", "swish", "relu"}), "--activations,-a",   \
    kStored, Check::one_of(activation_names),                                  \
    "Activations to compare (see `mish-lab activations`)")                     \
  X(std::string, baseline, "relu", "--baseline", kStored,                      \
    Check::one_of(activation_names), "Activation to test against")             \
  X(int, seeds, 3, "--seeds", kStored, Check::range(1, 10000),                 \
    "Runs per setting, seeds 0..N-1")                                          \
  X(std::string, data, "/usr/share/datasets/fashion-mnist", "--data",          \
    kStored, Check::any(),                                                     \
    "Folder with MNIST-style IDX files (gzipped or not), CIFAR-10 or "         \
    "CIFAR-100 binaries, or train/ and val/ JPEG class folders; segment: IDX " \
    "files (made into scenes) or {train,val}/{images,masks}/ folders")         \
  X(int64_t, train_limit, 10000, "--train-limit", kStored,                     \
    Check::range(0, 1e12),                                                     \
    "Use the first N training examples (0: all; image folders: N spread "      \
    "over the classes)")                                                       \
  X(int64_t, test_limit, 2000, "--test-limit", kStored, Check::range(0, 1e12), \
    "Use the first N test examples (0: all; image folders: as above)")         \
  X(std::vector<int>, depths, (std::vector<int>{5, 10, 15, 20, 25}),           \
    "--depths", kStored, Check::range(1, 1000), "Numbers of blocks")           \
  X(std::vector<double>, noise,                                                \
    (std::vector<double>{0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8}), "--noise",          \
    kStored, Check::range(0, 1000), "Noise standard deviations")               \
  X(std::vector<std::string>, inits, default_inits(), "--inits", kStored,      \
    Check::one_of(init_names), "Initialisers")                                 \
  X(std::string, suite, "quick", "--suite", kStored,                          \
    Check::one_of(suite_names),                                                \
    "Benchmarks of `mish-lab suite`: quick (7 at small limits, about 12 "     \
    "minutes on 2 cores at the defaults) or paper (11 at the lab's full "      \
    "settings on all the data, each with its own epochs: hours)")              \
  X(int, size, 128, "--size", kStored, Check::range(8, 4096),                  \
    "Image-folder crop size in px (segmentation folders: images and masks "   \
    "are resized to it)")                                                      \
  X(int, classes, 0, "--classes", kStored, Check::range(0, 255),               \
    "Segmentation folders: the number of classes, background included (0: "   \
    "one more than the largest index in the masks)")                           \
  X(bool, skip_bad_images, false, "--skip-bad-images", kStored, Check::any(),  \
    "Skip undecodable images with a warning instead of stopping")              \
  X(std::string, cache, "", "--cache", kMachine, Check::any(),                \
    "Folder of the DCGAN's feature classifiers, trained once per data set "   \
    "(default: $XDG_CACHE_HOME/mish-lab or ~/.cache/mish-lab)")                \
  X(std::string, device, "auto", "--device", kMachine,                         \
    Check::one_of(device_names), "cpu, cuda or auto")                          \
  X(int, threads, 0, "--threads", kMachine, Check::range(0, 1024),             \
    "CPU threads for LibTorch (0: one per hardware thread; on a busy "         \
    "machine also set OMP_WAIT_POLICY=passive)")                               \
  X(int, workers, 0, "--workers", kMachine, Check::range(0, 256),              \
    "Image-folder decoding threads (0: one per hardware thread)")              \
  X(bool, quiet, false, "--quiet,-q", kMachine, Check::any(),                  \
    "No progress output")                                                      \
  X(std::string, out, "", "--out", kLocator, Check::any(),                     \
    "Output folder (default runs/<experiment>-<date-time>)")                   \
  X(bool, resume, false, "--resume", kLocator, Check::any(),                   \
    "Continue the experiment in --out (or the newest of its kind) with its "   \
    "stored settings: finished runs are kept, an interrupted one restarts "    \
    "from its checkpoint")                                                     \
  X(std::string, shard, "", "--shard", kLocator, Check::any(),                 \
    "Train only share I of N of the runs (I/N, 0 <= I < N), for a sweep "      \
    "split over a job array into one --out folder (default: the Slurm array " \
    "task's); then `mish-lab report DIR`")                                     \
  X(double, dist_timeout, 300, "--dist-timeout", kMachine,                     \
    Check::range(1, 86400),                                                    \
    "Seconds a data-parallel process (under torchrun or srun) waits for a "    \
    "peer before stopping with an error")                                      \
  X(double, dist_join_timeout, 900, "--dist-join-timeout", kMachine,           \
    Check::range(1, 86400),                                                    \
    "Seconds a data-parallel process waits at the start for every process "    \
    "of the group to join")
// clang-format on

// "cpu", "cuda", "auto".
std::vector<std::string> device_names();

struct ExperimentSettings {
  MISHLAB_SETTINGS_STRUCT_BODY(MISHLAB_EXPERIMENT_SETTINGS)
};

struct RunConfig {
  ExperimentSettings experiment;
  TrainSettings train;

  // visitor(field, SettingInfo) for every setting of both.
  template <typename Visitor>
  void for_each(Visitor&& visitor) {
    experiment.for_each(visitor);
    train.for_each(visitor);
  }
  template <typename Visitor>
  void for_each(Visitor&& visitor) const {
    experiment.for_each(visitor);
    train.for_each(visitor);
  }
};

// Every declared setting, in declaration order.
std::vector<SettingInfo> setting_infos();

// Throws Error naming the flag of the first value outside its setting's
// range (NaN and infinity included), unknown name or repeated list value.
void check_settings(const RunConfig& config);

// config.json's "settings" (every setting but the locators) and back.
// from_json throws Error naming `where` and the setting when one is missing
// or of the wrong type.
nlohmann::json settings_json(const RunConfig& config);
RunConfig settings_from_json(const nlohmann::json& settings,
                             const std::string& where);
nlohmann::json train_json(const TrainSettings& train);
TrainSettings train_from_json(const nlohmann::json& train);

// The settings' values as flags, the way a user would type them again:
// "--seeds 3 --lr 0.001 --sa" for the named settings (bools only when set).
std::string settings_as_flags(const RunConfig& config,
                              const std::vector<std::string>& names);

// The command line of one experiment subcommand, generated from the
// declarations: add_flags() adds the named settings to `cmd` (defaults are
// the values in `config`, which the flags write to; `aliases` adds more
// spellings, e.g. {"batch_size", "--bs"}); given() lists the settings a
// flag was given for after parsing. A name no setting declares, or an alias
// of a setting not offered, is a programming error: std::logic_error.
class ConfigFlags {
 public:
  void add_flags(CLI::App& cmd, RunConfig& config,
                 const std::vector<std::string>& names,
                 const std::multimap<std::string, std::string>& aliases);
  std::vector<std::string> given() const;

 private:
  std::map<std::string, CLI::Option*> options_;
};

// --resume: `flags` holds what the command line gave (the settings named in
// `given` were typed). Returns the settings stored in `where`, with the
// machine settings and locators taken from the flags; throws Error naming
// the first typed flag whose value differs from the stored one.
RunConfig resumed_config(const RunConfig& flags,
                         const std::vector<std::string>& given,
                         const nlohmann::json& stored,
                         const std::string& where);

}  // namespace mishlab
