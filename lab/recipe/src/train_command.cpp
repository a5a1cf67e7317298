// `mish-lab train`: the fastai leaderboard protocol as flags, N seeds.
#include <CLI/CLI.hpp>
#include <memory>

#include "mishlab/experiment.hpp"
#include "mishlab/recipe/commands.hpp"
#include "mishlab/recipe/folder_run.hpp"
#include "mishlab/recipe/settings.hpp"
#include "mishlab/report.hpp"

namespace mishlab::recipe {
namespace {

using nlohmann::json;

void report(const Outcome& out, const Options& o, const RecipeSettings& r) {
  Table runs({"activation", "seed", "status", "test accuracy %", "s/epoch"});
  Table summary_table(
      {"activation", "runs", "accuracy % (mean ± std)", "95% CI"});
  json summary = json::array();
  for (const auto& act : o.activations) {
    std::vector<double> acc;
    for (const auto& res : out.results) {
      if (res.spec.activation != act) continue;
      runs.add({act, std::to_string(res.spec.seed), res.status,
                percent(res.final_acc()), fixed(res.seconds_per_epoch(), 1)});
      if (res.ok()) acc.push_back(res.final_acc());
    }
    const Summary m = summarize(acc);
    summary_table.add({act, std::to_string(m.n),
                       percent(m.mean) + " ± " + percent(m.std),
                       percent(m.ci_low) + " – " + percent(m.ci_high)});
    summary.push_back({{"activation", act}, {"accuracies", acc}});
  }
  const std::string setting =
      o.model + ", " + o.optimizer + " + " + o.schedule +
      (r.sa ? ", self-attention" : "") + ", lr " + fixed(o.lr, 4) + ", wd " +
      fixed(o.weight_decay, 4) + ", batch " + std::to_string(o.batch_size) +
      ", label smoothing " + fixed(r.label_smoothing, 2);
  std::string body = "## Test accuracy after " + std::to_string(o.epochs) +
                     " epochs\n\n" + setting + "\n\n" +
                     summary_table.markdown() + "\n## Runs\n\n" +
                     runs.markdown() + "\n";
  body += plot_into_report(
      out,
      training_curves(out.results, o.activations, "Test accuracy by epoch"),
      "curves");
  write_report(out, "mish-lab train: " + o.model, body,
               {{"activations", summary}, {"recipe", r}});
}

void run(Options& o, RecipeSettings& r, CLI::App& cmd) {
  resolve_resume(o, "train", cmd);
  keep_settings(o, r, "train", cmd);
  validate(o);
  Experiment e{"train", o, {}};
  for (int seed = 0; seed < o.seeds; ++seed) {
    for (const auto& act : o.activations) {
      RunSpec s = base_spec(o);
      s.activation = act;
      s.seed = seed;
      s.extra = run_extra(r, r.sa);
      e.runs.push_back(s);
    }
  }
  report(
      is_image_folder(o.data) ? run_folder_experiment(e, r) : run_experiment(e),
      o, r);
}

}  // namespace

void register_train(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto r = std::make_shared<RecipeSettings>();
  // The ImageWoof/Imagenette leaderboard protocol of the Mish records.
  o->activations = {"mish"};
  o->model = "xresnet50";
  o->optimizer = "ranger";
  o->schedule = "flat_cos";
  o->seeds = 1;
  o->epochs = 5;
  o->batch_size = 64;
  o->lr = 4e-3;
  o->weight_decay = 1e-2;
  r->label_smoothing = 0.1;
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train with the fastai leaderboard recipe: XResNet/MXResNet, Ranger, "
      "flat+cosine schedule, self-attention, label smoothing");
  add_common_options(*cmd, *o);
  add_recipe_options(*cmd, *r);
  // The leaderboard's own spellings of the common flags.
  cmd->add_option("--act", o->activations, "Same as --activations")
      ->delimiter(',');
  cmd->add_option("--opt", o->optimizer, "Same as --optimizer");
  cmd->add_option("--sched", o->schedule, "Same as --schedule");
  cmd->add_option("--bs", o->batch_size, "Same as --batch-size")
      ->check(CLI::Range(2, 1 << 20));
  cmd->add_option("--wd", o->weight_decay, "Same as --weight-decay")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--sa", r->sa,
                "SimpleSelfAttention in the last block of the first stage");
  cmd->callback([o, r, cmd] { run(*o, *r, *cmd); });
}

}  // namespace mishlab::recipe
