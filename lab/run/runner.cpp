#include "run/runner.hpp"

#include <ATen/Parallel.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <chrono>
#include <optional>
#include <thread>

#include "common/error.hpp"
#include "common/files.hpp"
#include "common/version.hpp"
#include "report/table.hpp"
#include "run/checkpoint.hpp"
#include "run/config_json.hpp"
#include "run/machine.hpp"
#include "run/progress.hpp"
#include "run/samples.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/trainer.hpp"

namespace mishlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json blas_json() {
  const BlasInfo b = blas_info();
  return {{"name", b.name}, {"library", b.library}, {"config", b.config}};
}

// What config.json holds: experiment, command line, settings, data,
// versions and machine.
json data_json(const std::string& folder, const ExperimentData& data) {
  return {{"folder", folder},
          {"format", data.format},
          {"train_examples", data.train->examples()},
          {"test_examples", data.test->examples()},
          {"image", {data.shape.channels, data.shape.height, data.shape.width}},
          {"classes", data.shape.classes}};
}

json make_config(const Experiment& e, DataSets& data, c10::Device device) {
  const ExperimentSettings& s = e.config.experiment;
  json config = {
      {"experiment", e.name},
      {"command", e.command},
      {"settings", settings_json(e.config)},
      {"runs", e.runs.size()},
      {"started", timestamp_now()},
      {"versions", {{"mish", version()}, {"libtorch", TORCH_VERSION}}},
      {"machine",
       {{"host", host_name()},
        {"device", device.str()},
        {"threads", at::get_num_threads()},
        {"hardware_threads", std::thread::hardware_concurrency()},
        {"blas", blas_json()}}},
      {"data", data_json(s.data, data.first())},
  };
  if (data.all().size() > 1) {  // a suite: every task's data
    for (const auto& [task, d] : data.all()) {
      config["data_sets"][task] = data_json(s.data, d);
    }
  }
  return config;
}

// A resumed experiment keeps the command and start of its first run, so its
// report says how it was made; each resumption is listed after it.
json keep_history(const fs::path& dir, json config) {
  const json first = read_config_json(dir).all;
  json resumed = first.value("resumed", json::array());
  resumed.push_back(
      {{"command", config.at("command")}, {"started", config.at("started")}});
  config["command"] = first.value("command", "");
  config["started"] = first.value("started", "");
  config["resumed"] = std::move(resumed);
  return config;
}

// Trains one run, resuming from its checkpoint when there is one.
class RunTrainer {
 public:
  // `samples`: where a DCGAN's grid goes (none: not written).
  RunTrainer(const RunSpec& spec, ExperimentData& data, c10::Device device,
             Group* group, Progress& progress, std::string label, bool quiet,
             std::optional<fs::path> samples)
      : spec_(spec),
        data_(data),
        device_(device),
        group_(group),
        progress_(progress),
        label_(std::move(label)),
        quiet_(quiet),
        samples_(std::move(samples)) {}

  RunResult run(const fs::path& checkpoint, bool resume) {
    Trainer trainer = fresh_trainer();
    RunResult r;
    r.spec = spec_;
    if (resume) {
      // Data-parallel, rank 0 reads the checkpoint for all: every rank
      // takes part, whatever its own disk holds.
      if (auto restored = load_checkpoint(trainer, checkpoint)) {
        r.epochs =
            json::parse(restored->history).get<std::vector<EpochRecord>>();
        r.resumed_at = restored->epoch;
        log("resumed at epoch " + std::to_string(restored->epoch));
      } else if (fs::exists(checkpoint)) {
        log("checkpoint unreadable, starting the run over");
        trainer = fresh_trainer();
      }
    }
    const int epochs = spec_.train.epochs;
    for (int epoch = static_cast<int>(r.epochs.size()) + 1; epoch <= epochs;
         ++epoch) {
      const std::string status = label_ + " epoch " + std::to_string(epoch) +
                                 "/" + std::to_string(epochs);
      const auto start = std::chrono::steady_clock::now();
      const PassStats train = trainer.train_epoch(
          *data_.train, static_cast<uint64_t>(spec_.seed) * 1000003u + epoch,
          [&] { progress_.advance(1, status); });
      const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      if (!train.finite) {
        r.status = "diverged";
        log("diverged (loss is not finite) in epoch " + std::to_string(epoch));
        break;
      }
      const PassStats test = trainer.evaluate(*data_.test);
      const std::vector<MetricInfo> metrics = trainer.task().metrics();
      EpochRecord record{epoch,     train.loss,      train.metrics[0],
                         test.loss, test.metrics[0], seconds,
                         {}};
      std::string shown;
      for (size_t i = 0; i < metrics.size(); ++i) {
        record.test_metrics[metrics[i].name] = test.metrics[i];
        shown += ", test " + metrics[i].name + " " +
                 fixed(test.metrics[i] * metrics[i].scale, metrics[i].digits);
      }
      r.epochs.push_back(record);
      save_checkpoint(trainer, checkpoint, epoch, json(r.epochs).dump());
      log(status + ": train loss " + fixed(train.loss, 4) + shown + ", " +
          fixed(seconds, 1) + " s");
    }
    if (r.ok() && samples_) {
      write_samples(dynamic_cast<DcganImpl&>(trainer.module()), *samples_);
    }
    if (r.ok()) {
      for (size_t i = 0; i < spec_.noise.size(); ++i) {
        r.noise_acc.push_back(
            trainer.evaluate(*data_.test, spec_.noise[i], spec_.seed + 7919 * i)
                .metrics[0]);
      }
    }
    return r;
  }

 private:
  Trainer fresh_trainer() {
    torch::manual_seed(static_cast<uint64_t>(spec_.seed));
    torch::nn::AnyModule model = build_model(spec_, data_.shape);
    init_weights(*model.ptr(), spec_.train.init);
    model.ptr()->to(device_);
    auto optimizer = make_optimizer(model.ptr()->parameters(), spec_.train);
    TrainerOptions options;
    options.label_smoothing = spec_.train.label_smoothing;
    options.bf16 = spec_.train.precision == "bf16";
    options.group = group_;
    options.task =
        task_for_model(spec_.train.model, data_.shape.classes, data_.reference);
    return Trainer(std::move(model), std::move(optimizer),
                   get_schedule(spec_.train.schedule),
                   spec_.train.epochs * data_.train->batches(), options);
  }

  void log(const std::string& line) {
    if (!quiet_) progress_.log(line);
  }

  const RunSpec& spec_;
  ExperimentData& data_;
  c10::Device device_;
  Group* group_;
  Progress& progress_;
  std::string label_;
  bool quiet_;
  std::optional<fs::path> samples_;
};

// A finished run's record as rank 0 reads it, on every rank.
std::optional<RunResult> finished_run(const fs::path& path, Group* group) {
  std::string text;
  if ((!group || group->root()) && fs::exists(path)) text = read_file(path);
  if (group) group->broadcast(text);
  if (text.empty()) return std::nullopt;
  try {
    return result_from_json(json::parse(text));
  } catch (const std::exception&) {
    return std::nullopt;  // written atomically, so only a hand edit gets here
  }
}

// The stored settings that decide what the runs train: equal for every
// shard and rank of one experiment (the machine's may differ).
json experiment_settings(json settings) {
  for (const SettingInfo& info : setting_infos()) {
    if (info.kind == SettingKind::kMachine) settings.erase(info.name);
  }
  return settings;
}

// config.json of a sweep's shard: the first shard writes it; the others
// check that it holds their experiment.
void share_config(const fs::path& dir, const json& config) {
  if (create_file_once(dir / "config.json", config.dump(2) + "\n")) return;
  const StoredConfig stored = read_config_json(dir);
  if (json(stored.experiment) != config.at("experiment") ||
      experiment_settings(stored.settings) !=
          experiment_settings(config.at("settings"))) {
    throw Error(stored.file.string() +
                " holds another experiment or other settings than this "
                "shard's: every shard of a sweep needs the same flags");
  }
}

// The log's warning when matrix products run on Debian's reference BLAS.
std::string blas_warning() {
  const BlasInfo b = blas_info();
  if (!b.reference) return "";
  return "warning: LibTorch calls the reference BLAS (" + b.library +
         "): fully connected layers run about 25x slower than with OpenBLAS "
         "(install libopenblas0-openmp)";
}

}  // namespace

Outcome run_experiment(const Experiment& e, DataSets& data, c10::Device device,
                       const fs::path& dir, const Participation& p) {
  const ExperimentSettings& s = e.config.experiment;
  Group* group = p.group;
  const bool writer = !group || group->root();
  const bool quiet = s.quiet || !writer;
  Outcome out;
  out.dir = dir;
  out.writes = writer && !p.shard;
  out.config = make_config(e, data, device);
  if (s.resume && writer && fs::exists(dir / "config.json")) {
    out.config = keep_history(dir, std::move(out.config));
  }
  out.config["machine"]["world_size"] = group ? group->size() : 1;
  out.config["machine"]["backend"] = group ? group->backend() : "none";
  if (group) {
    group->require_same("settings",
                        experiment_settings(out.config.at("settings")).dump());
    std::string prints;
    for (const auto& [task, d] : data.all()) prints += " " + d.fingerprint;
    group->require_same("data", out.config.at("data").dump() + prints);
  }
  if (writer) {
    make_folder(dir);
    make_folder(dir / "runs");
    if (p.shard) {
      share_config(dir, out.config);
    } else {
      write_file_atomic(dir / "config.json", out.config.dump(2) + "\n");
    }
  }

  const auto steps = [&](const RunSpec& r) {
    return r.train.epochs * data.of(r).train->batches();
  };
  int64_t units = 0;
  for (size_t i = 0; i < e.runs.size(); ++i) {
    if (!p.shard || p.shard->owns(i)) units += steps(e.runs[i]);
  }
  Progress progress(units, !quiet && stderr_is_terminal());
  if (!quiet) {
    if (const std::string warning = blas_warning(); !warning.empty()) {
      progress.log(warning);
    }
    progress.log(
        e.name + ": " + std::to_string(e.runs.size()) + " runs on " +
        std::to_string(data.first().train->examples()) + " training and " +
        std::to_string(data.first().test->examples()) + " test examples (" +
        device.str() + ", " + std::to_string(at::get_num_threads()) +
        " threads) -> " + dir.string());
    if (p.shard) {
      progress.log("shard " + p.shard->str() +
                   (s.shard.empty() ? " (the Slurm array task)" : "") +
                   ": runs " + std::to_string(p.shard->index + 1) + ", " +
                   std::to_string(p.shard->index + 1 + p.shard->count) +
                   "... of the list");
    }
    if (group) {
      progress.log("data-parallel over " + std::to_string(group->size()) +
                   " processes (" + group->backend() + "); rank 0 writes");
    }
  }
  for (size_t i = 0; i < e.runs.size(); ++i) {
    if (p.shard && !p.shard->owns(i)) continue;
    const RunSpec& r = e.runs[i];
    const fs::path base = dir / "runs" / r.id();
    const fs::path result_path = base.string() + ".json";
    std::optional<RunResult> result =
        s.resume ? finished_run(result_path, group) : std::nullopt;
    if (result) {
      progress.advance(steps(r), "");
    } else {
      const std::string label = "[" + std::to_string(i + 1) + "/" +
                                std::to_string(e.runs.size()) + "] " + r.id();
      std::optional<fs::path> samples;
      if (writer && task_name(r.train.model) == "adversarial") {
        samples = dir / "runs" / samples_file(r);
      }
      RunTrainer trainer(r, data.of(r), device, group, progress, label, quiet,
                         samples);
      result = trainer.run(base.string() + ".ckpt", s.resume);
      if (writer) {
        write_file_atomic(result_path, result_json(*result).dump(1) + "\n");
        fs::remove(base.string() + ".ckpt");
      }
    }
    out.results.push_back(*std::move(result));
    if (out.writes) {
      write_file_atomic(dir / "results.csv", results_csv(out.results));
    }
  }
  progress.finish();
  if (p.shard && !quiet) {
    progress.log("shard " + p.shard->str() +
                 " done; once every shard is: mish-lab report " + dir.string());
  }
  return out;
}

Outcome collect_finished(const Experiment& e, const fs::path& dir,
                         std::vector<std::string>* missing) {
  Outcome out;
  out.dir = dir;
  out.config = read_config_json(dir).all;
  for (const RunSpec& r : e.runs) {
    if (auto result =
            finished_run(dir / "runs" / (r.id() + ".json"), nullptr)) {
      out.results.push_back(*std::move(result));
    } else {
      missing->push_back(r.id());
    }
  }
  write_file_atomic(dir / "results.csv", results_csv(out.results));
  return out;
}

}  // namespace mishlab
