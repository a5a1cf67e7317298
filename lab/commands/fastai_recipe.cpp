// `mish-lab train`: the fastai leaderboard protocol as flags, N seeds.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "report/table.hpp"

namespace mishlab {

using nlohmann::json;

namespace {

void report(const Finished& f) {
  const TrainSettings& t = f.config.train;
  Table runs({"activation", "seed", "status", "test accuracy %", "s/epoch"});
  Table summary_table(
      {"activation", "runs", "accuracy % (mean ± std)", "95% CI"});
  json summary = json::array();
  for (const auto& act : f.config.experiment.activations) {
    std::vector<double> acc;
    for (const auto& res : f.outcome.results) {
      if (res.spec.activation != act) continue;
      runs.add({act, std::to_string(res.spec.seed), res.status,
                percent(res.final_acc()), fixed(res.seconds_per_epoch(), 1)});
      if (res.ok()) acc.push_back(res.final_acc());
    }
    const Summary m = summarize(acc);
    summary_table.add({act, std::to_string(m.n), mean_std(m), ci_range(m)});
    summary.push_back({{"activation", act}, {"accuracies", acc}});
  }
  std::string body = "## Test accuracy after " + std::to_string(t.epochs) +
                     " epochs\n\n" + summary_table.markdown() +
                     "\n## Runs\n\n" + runs.markdown() + "\n";
  body += plot_into_report(
      f,
      training_curves(f.outcome.results, f.config.experiment.activations,
                      "Test accuracy by epoch"),
      "curves");
  write_report(f, "mish-lab train: " + t.model, body,
               {{"activations", summary}});
}

}  // namespace

void register_train(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "train";
  def.help =
      "Train with the fastai leaderboard recipe: XResNet/MXResNet, Ranger, "
      "flat+cosine schedule, self-attention, label smoothing";
  def.flags = {"sa",        "widen", "gc",      "label_smoothing",
               "precision", "size",  "workers", "skip_bad_images"};
  // The leaderboard's own spellings of the common flags.
  def.aliases = {{"activations", "--act"},
                 {"optimizer", "--opt"},
                 {"schedule", "--sched"},
                 {"batch_size", "--bs"},
                 {"weight_decay", "--wd"}};
  // The ImageWoof/Imagenette leaderboard protocol of the Mish records.
  def.defaults = [](RunConfig& c) {
    c.experiment.activations = {"mish"};
    c.experiment.seeds = 1;
    c.train.model = "xresnet50";
    c.train.optimizer = "ranger";
    c.train.schedule = "flat_cos";
    c.train.epochs = 5;
    c.train.batch_size = 64;
    c.train.lr = 4e-3;
    c.train.weight_decay = 1e-2;
    c.train.label_smoothing = 0.1;
    c.train.precision = "bf16";
  };
  def.runs = [](const RunConfig& c) { return grid(c, {{}}); };
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
