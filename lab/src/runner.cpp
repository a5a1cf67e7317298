#include "mishlab/runner.hpp"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <thread>

#include "mishlab/blas.hpp"
#include "mishlab/data/images.hpp"
#include "mishlab/error.hpp"
#include "mishlab/files.hpp"
#include "mishlab/progress.hpp"
#include "mishlab/report.hpp"
#include "mishlab/trainer.hpp"

namespace mishlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

uint64_t limit(int64_t n) {
  return n > 0 ? static_cast<uint64_t>(n) : kNoLimit;
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// The device that --device names: cpu, cuda, or auto (cuda when there is
// one). Throws Error for cuda without a GPU.
c10::Device pick_device(const std::string& name) {
  const bool cuda = torch::cuda::is_available();
  if (name == "cuda" && !cuda) {
    throw Error("--device cuda: this LibTorch has no CUDA or sees no GPU");
  }
  return (name == "cuda" || (name == "auto" && cuda)) ? c10::Device(c10::kCUDA)
                                                      : c10::Device(c10::kCPU);
}

json blas_json() {
  const BlasInfo b = blas_info();
  return {{"name", b.name}, {"library", b.library}, {"config", b.config}};
}

// What every config.json holds besides its data: experiment, command line,
// settings, versions and machine.
json base_config(const Experiment& e, c10::Device device) {
  return {
      {"experiment", e.name},
      {"command", command_line()},
      {"settings", e.options},
      {"runs", e.runs.size()},
      {"started", timestamp_now()},
      {"versions", {{"mish", MISHLAB_VERSION}, {"libtorch", TORCH_VERSION}}},
      {"machine",
       {{"host", host_name()},
        {"device", device.str()},
        {"threads", at::get_num_threads()},
        {"hardware_threads", std::thread::hardware_concurrency()},
        {"blas", blas_json()}}},
  };
}

// A resumed experiment keeps the command and start of its first run, so its
// report says how it was made; each resumption is listed after it.
json keep_history(const fs::path& file, json config) {
  json first;
  try {
    first = json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw Error("--resume: corrupt " + file.string() + ": " + e.what());
  }
  json resumed = first.value("resumed", json::array());
  resumed.push_back(
      {{"command", config.at("command")}, {"started", config.at("started")}});
  config["command"] = first.value("command", "");
  config["started"] = first.value("started", "");
  config["resumed"] = std::move(resumed);
  return config;
}

// The IDX or CIFAR files that --data names, as tensors on the device.
RunData memory_data(const Options& o, c10::Device device) {
  constexpr int64_t kEvalBatch = 500;
  const ImageData images =
      load_image_data(o.data, limit(o.train_limit), limit(o.test_limit));
  const auto tensors =
      std::make_shared<const TensorData>(to_tensors(images, device));
  RunData d;
  d.format = images.format;
  d.train_examples = images.train.count;
  d.test_examples = images.test.count;
  d.shape = tensors->shape;
  d.batches = [n = tensors->train.size()](int64_t batch_size) {
    return (n + batch_size - 1) / batch_size;
  };
  d.train_epoch = [tensors](Trainer& trainer, int64_t batch_size, uint64_t seed,
                            const std::function<void()>& on_batch) {
    return trainer.train_epoch(tensors->train, batch_size, seed, on_batch);
  };
  d.evaluate = [tensors](Trainer& trainer, double noise_std, uint64_t seed) {
    return trainer.evaluate(tensors->test, kEvalBatch, noise_std, seed);
  };
  return d;
}

// Trains one run, resuming from its checkpoint when there is one.
class RunTrainer {
 public:
  RunTrainer(const RunSpec& spec, const RunData& data, c10::Device device,
             Progress& progress, std::string label, bool quiet)
      : spec_(spec),
        data_(data),
        device_(device),
        progress_(progress),
        label_(std::move(label)),
        quiet_(quiet) {}

  RunResult run(const fs::path& checkpoint, bool resume) {
    Trainer trainer = fresh_trainer();
    RunResult r;
    r.spec = spec_;
    if (resume && fs::exists(checkpoint)) {
      if (auto restored = trainer.load(checkpoint)) {
        r.epochs =
            json::parse(restored->history).get<std::vector<EpochRecord>>();
        r.resumed_at = restored->epoch;
        log("resumed at epoch " + std::to_string(restored->epoch));
      } else {
        log("checkpoint unreadable, starting the run over");
        trainer = fresh_trainer();
      }
    }
    for (int epoch = static_cast<int>(r.epochs.size()) + 1;
         epoch <= spec_.epochs; ++epoch) {
      const std::string status = label_ + " epoch " + std::to_string(epoch) +
                                 "/" + std::to_string(spec_.epochs);
      const auto start = std::chrono::steady_clock::now();
      const PassStats train = data_.train_epoch(
          trainer, spec_.batch_size,
          static_cast<uint64_t>(spec_.seed) * 1000003u + epoch,
          [&] { progress_.advance(1, status); });
      const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      if (!train.finite) {
        r.status = "diverged";
        log("diverged (loss is not finite) in epoch " + std::to_string(epoch));
        break;
      }
      const PassStats test = data_.evaluate(trainer, 0, 0);
      r.epochs.push_back({epoch, train.loss, train.accuracy, test.loss,
                          test.accuracy, seconds});
      trainer.save(checkpoint, epoch, json(r.epochs).dump());
      log(status + ": train loss " + fixed(train.loss, 4) + ", test acc " +
          percent(test.accuracy) + "%, " + fixed(seconds, 1) + " s");
    }
    if (r.ok()) {
      for (size_t i = 0; i < spec_.noise.size(); ++i) {
        r.noise_acc.push_back(
            data_.evaluate(trainer, spec_.noise[i], spec_.seed + 7919 * i)
                .accuracy);
      }
    }
    return r;
  }

 private:
  Trainer fresh_trainer() {
    torch::manual_seed(static_cast<uint64_t>(spec_.seed));
    torch::nn::AnyModule model = build_model(spec_, data_.shape);
    init_weights(*model.ptr(), spec_.init);
    model.ptr()->to(device_);
    auto optimizer = make_optimizer(model.ptr()->parameters(), spec_);
    return Trainer(std::move(model), std::move(optimizer),
                   get_schedule(spec_.schedule),
                   spec_.epochs * data_.batches(spec_.batch_size), {},
                   spec_.extra.value("label_smoothing", 0.0));
  }

  void log(const std::string& line) {
    if (!quiet_) progress_.log(line);
  }

  const RunSpec& spec_;
  const RunData& data_;
  c10::Device device_;
  Progress& progress_;
  std::string label_;
  bool quiet_;
};

std::optional<RunResult> finished_run(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    return json::parse(read_file(path)).get<RunResult>();
  } catch (const json::exception&) {
    return std::nullopt;  // written atomically, so only a hand edit gets here
  }
}

}  // namespace

Outcome run_experiment(const Experiment& e, const OpenData& open,
                       const json& more_config) {
  const Options& o = e.options;
  at::set_num_threads(o.threads);
  const c10::Device device = pick_device(o.device);
  Outcome out;
  out.dir = o.out.empty() ? fs::path("runs") / (e.name + "-" + timestamp_now())
                          : fs::path(o.out);
  if (!o.resume && fs::exists(out.dir / "config.json")) {
    throw Error(out.dir.string() +
                " already holds an experiment: pass --resume to continue it "
                "or choose another --out");
  }
  const RunData data = open(device);
  fs::create_directories(out.dir / "runs");
  out.config = base_config(e, device);
  if (o.resume && fs::exists(out.dir / "config.json")) {
    out.config = keep_history(out.dir / "config.json", std::move(out.config));
  }
  out.config.update(more_config);
  out.config["data"] = {
      {"folder", o.data},
      {"format", data.format},
      {"train_examples", data.train_examples},
      {"test_examples", data.test_examples},
      {"image", {data.shape.channels, data.shape.height, data.shape.width}},
      {"classes", data.shape.classes}};
  write_file_atomic(out.dir / "config.json", out.config.dump(2) + "\n");

  int64_t units = 0;
  for (const RunSpec& s : e.runs)
    units += s.epochs * data.batches(s.batch_size);
  Progress progress(units, !o.quiet && stderr_is_terminal());
  if (!o.quiet) {
    progress.log(e.name + ": " + std::to_string(e.runs.size()) + " runs on " +
                 std::to_string(data.train_examples) + " training and " +
                 std::to_string(data.test_examples) + " test examples (" +
                 device.str() + ", " + std::to_string(o.threads) +
                 " threads) -> " + out.dir.string());
    if (const BlasInfo b = blas_info(); b.reference) {
      progress.log(
          "warning: LibTorch's matrix products use the reference "
          "BLAS (" +
          b.library +
          "), about 25x slower than OpenBLAS "
          "on fully connected layers; install libopenblas0-openmp");
    }
  }
  for (size_t i = 0; i < e.runs.size(); ++i) {
    const RunSpec& s = e.runs[i];
    const fs::path base = out.dir / "runs" / s.id();
    const fs::path result_path = base.string() + ".json";
    std::optional<RunResult> r =
        o.resume ? finished_run(result_path) : std::nullopt;
    if (r) {
      progress.advance(s.epochs * data.batches(s.batch_size), "");
    } else {
      const std::string label = "[" + std::to_string(i + 1) + "/" +
                                std::to_string(e.runs.size()) + "] " + s.id();
      RunTrainer trainer(s, data, device, progress, label, o.quiet);
      r = trainer.run(base.string() + ".ckpt", o.resume);
      write_file_atomic(result_path, json(*r).dump(1) + "\n");
      fs::remove(base.string() + ".ckpt");
    }
    out.results.push_back(*std::move(r));
    write_file_atomic(out.dir / "results.csv", results_csv(out.results));
  }
  progress.finish();
  return out;
}

Outcome run_experiment(const Experiment& e) {
  return run_experiment(
      e, [&](c10::Device device) { return memory_data(e.options, device); },
      json::object());
}

}  // namespace mishlab
