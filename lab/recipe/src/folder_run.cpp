#include "mishlab/recipe/folder_run.hpp"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "mishlab/error.hpp"
#include "mishlab/files.hpp"
#include "mishlab/nn.hpp"
#include "mishlab/options.hpp"
#include "mishlab/progress.hpp"
#include "mishlab/recipe/image_folder.hpp"
#include "mishlab/report.hpp"
#include "mishlab/trainer.hpp"

namespace mishlab::recipe {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// uint8 NCHW -> float, standardised with the ImageNet channel statistics
// (what the Imagenette recipe uses), on the training device.
torch::Tensor standardise(const torch::Tensor& images, c10::Device device) {
  static const auto mean =
      torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1}) * 255;
  static const auto std =
      torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1}) * 255;
  const auto x = images.to(device, /*non_blocking=*/true).to(torch::kFloat);
  return (x - mean.to(device)) / std.to(device);
}

PassStats evaluate(Trainer& trainer, ImageFolderLoader& val,
                   c10::Device device) {
  torch::NoGradGuard no_grad;
  trainer.module().eval();
  val.start_epoch(0);
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  while (auto batch = val.next()) {
    if (batch->labels.size(0) == 0) continue;
    const auto y = batch->labels.to(device);
    const auto logits =
        trainer.model().forward(standardise(batch->images, device));
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(
                        torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    seen += y.size(0);
  }
  PassStats stats;
  stats.loss = seen ? loss_sum / static_cast<double>(seen) : NAN;
  stats.accuracy =
      seen ? static_cast<double>(correct) / static_cast<double>(seen) : NAN;
  stats.finite = std::isfinite(stats.loss);
  return stats;
}

RunResult train_run(const RunSpec& spec, ImageFolderLoader& train,
                    ImageFolderLoader& val, const DataShape& shape,
                    c10::Device device, const fs::path& checkpoint, bool resume,
                    Progress& progress, const std::string& label, bool quiet) {
  const auto fresh = [&] {
    torch::manual_seed(static_cast<uint64_t>(spec.seed));
    auto model = build_model(spec, shape);
    init_weights(*model.ptr(), spec.init);
    model.ptr()->to(device);
    auto optimizer = make_optimizer(model.ptr()->parameters(), spec);
    return Trainer(std::move(model), std::move(optimizer),
                   get_schedule(spec.schedule), spec.epochs * train.batches(),
                   {}, spec.extra.value("label_smoothing", 0.0));
  };
  const auto log = [&](const std::string& line) {
    if (!quiet) progress.log(line);
  };
  Trainer trainer = fresh();
  RunResult r;
  r.spec = spec;
  if (resume && fs::exists(checkpoint)) {
    if (auto restored = trainer.load(checkpoint)) {
      r.epochs = json::parse(restored->history).get<std::vector<EpochRecord>>();
      r.resumed_at = restored->epoch;
      log(label + ": resumed at epoch " + std::to_string(restored->epoch));
    } else {
      trainer = fresh();
    }
  }
  for (int epoch = static_cast<int>(r.epochs.size()) + 1; epoch <= spec.epochs;
       ++epoch) {
    const std::string status = label + " epoch " + std::to_string(epoch) + "/" +
                               std::to_string(spec.epochs);
    const auto start = std::chrono::steady_clock::now();
    trainer.module().train();
    train.start_epoch(static_cast<int64_t>(spec.seed) * 1000003 + epoch);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    bool finite = true;
    while (auto batch = train.next()) {
      const int64_t n = batch->labels.size(0);
      progress.advance(1, status);
      if (n < 2) continue;  // BatchNorm cannot train on one example
      const double loss = trainer.step(standardise(batch->images, device),
                                       batch->labels.to(device), &correct);
      if (!std::isfinite(loss)) {
        finite = false;
        break;
      }
      loss_sum += loss * static_cast<double>(n);
      seen += n;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!finite) {
      r.status = "diverged";
      log(status + ": diverged (loss is not finite)");
      break;
    }
    const PassStats test = evaluate(trainer, val, device);
    const auto n = static_cast<double>(std::max<int64_t>(seen, 1));
    r.epochs.push_back({epoch, loss_sum / n, static_cast<double>(correct) / n,
                        test.loss, test.accuracy, seconds});
    trainer.save(checkpoint, epoch, json(r.epochs).dump());
    log(status + ": val acc " + percent(test.accuracy) + "%, " +
        fixed(seconds, 1) + " s");
  }
  return r;
}

}  // namespace

bool is_image_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "train", ec) &&
         fs::is_directory(dir / "val", ec);
}

Outcome run_folder_experiment(const Experiment& e, const RecipeSettings& r) {
  const Options& o = e.options;
  at::set_num_threads(o.threads);
  const c10::Device device = pick_device(o.device);
  Outcome out;
  out.dir = o.out;
  if (!o.resume && fs::exists(out.dir / "config.json")) {
    throw Error(out.dir.string() +
                " already holds an experiment: pass --resume to continue it "
                "or choose another --out");
  }
  const fs::path root = o.data;
  ImageFolder train_folder = scan_image_folder(root / "train");
  ImageFolder val_folder =
      scan_image_folder(root / "val", train_folder.classes);
  const DataShape shape{3, r.size, r.size,
                        static_cast<int64_t>(train_folder.classes.size())};
  LoaderOptions lo;
  lo.size = r.size;
  lo.batch_size = e.runs.empty() ? 64 : e.runs.front().batch_size;
  lo.workers =
      r.workers > 0
          ? r.workers
          : static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
  lo.skip_bad = r.skip_bad;
  out.config = base_config(e, device);
  out.config["recipe"] = r;
  out.config["data"] = {{"folder", o.data},
                        {"format", "jpeg-folders"},
                        {"train_examples", train_folder.files.size()},
                        {"test_examples", val_folder.files.size()},
                        {"image", {3, r.size, r.size}},
                        {"classes", train_folder.classes.size()}};
  fs::create_directories(out.dir / "runs");
  write_file_atomic(out.dir / "config.json", out.config.dump(2) + "\n");
  ImageFolderLoader train(std::move(train_folder), lo);
  lo.train = false;
  ImageFolderLoader val(std::move(val_folder), lo);

  int64_t units = 0;
  for (const RunSpec& s : e.runs) units += s.epochs * train.batches();
  Progress progress(units, !o.quiet && stderr_is_terminal());
  for (size_t i = 0; i < e.runs.size(); ++i) {
    const RunSpec& s = e.runs[i];
    const fs::path base = out.dir / "runs" / s.id();
    const fs::path result_path = base.string() + ".json";
    std::optional<RunResult> done;
    if (o.resume && fs::exists(result_path)) {
      done = json::parse(read_file(result_path)).get<RunResult>();
      progress.advance(s.epochs * train.batches(), "");
    } else {
      const std::string label = "[" + std::to_string(i + 1) + "/" +
                                std::to_string(e.runs.size()) + "] " + s.id();
      done = train_run(s, train, val, shape, device, base.string() + ".ckpt",
                       o.resume, progress, label, o.quiet);
      write_file_atomic(result_path, json(*done).dump(1) + "\n");
      fs::remove(base.string() + ".ckpt");
    }
    out.results.push_back(*std::move(done));
    write_file_atomic(out.dir / "results.csv", results_csv(out.results));
  }
  progress.finish();
  return out;
}

}  // namespace mishlab::recipe
