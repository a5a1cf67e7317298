// `mish-lab ablate`: activation {relu, mish} x optimizer+schedule
// {adamw+one_cycle, ranger+flat_cos} x self-attention {off, on}, N seeds,
// to separate what Mish gives from what the rest of the recipe gives.
#include <CLI/CLI.hpp>
#include <cmath>
#include <functional>
#include <memory>

#include "mishlab/error.hpp"
#include "mishlab/experiment.hpp"
#include "mishlab/recipe/commands.hpp"
#include "mishlab/recipe/folder_run.hpp"
#include "mishlab/recipe/settings.hpp"
#include "mishlab/report.hpp"

namespace mishlab::recipe {
namespace {

using nlohmann::json;

struct Recipe {
  std::string label, optimizer, schedule;
};
// fastai's baseline (Adam with decoupled weight decay, one-cycle) and the
// leaderboard recipe.
const Recipe kRecipes[] = {{"adamw+one_cycle", "adamw", "one_cycle"},
                           {"ranger+flat_cos", "ranger", "flat_cos"}};

std::string recipe_label(const RunSpec& s) {
  return s.optimizer == "ranger" ? kRecipes[1].label : kRecipes[0].label;
}

using Pick = std::function<bool(const RunSpec&)>;

std::vector<double> accuracies(const std::vector<RunResult>& results,
                               const Pick& pick) {
  std::vector<double> acc;
  for (const auto& r : results) {
    if (r.ok() && pick(r.spec)) acc.push_back(r.final_acc());
  }
  return acc;
}

std::string mean_ci(const Summary& s) {
  return percent(s.mean) + " [" + percent(s.ci_low) + ", " +
         percent(s.ci_high) + "]";
}

json num(double v) { return std::isfinite(v) ? json(v) : json(); }

// Level b against level a of one factor.
struct Contrast {
  Summary a, b;
  double delta = NAN;  // mean(b) - mean(a), accuracy units
  WelchResult welch;
};

Contrast contrast(const std::vector<RunResult>& results, const Pick& pick_a,
                  const Pick& pick_b) {
  const auto a = accuracies(results, pick_a);
  const auto b = accuracies(results, pick_b);
  Contrast c{summarize(a), summarize(b), NAN, welch_t_test(b, a)};
  c.delta = c.b.mean - c.a.mean;
  return c;
}

json contrast_json(const Contrast& c) {
  return {{"mean_a", num(c.a.mean)}, {"n_a", c.a.n},
          {"mean_b", num(c.b.mean)}, {"n_b", c.b.n},
          {"delta", num(c.delta)},   {"p_value", num(c.welch.p)}};
}

void report(const Outcome& out, const Options& o) {
  const auto& acts = o.activations;
  const auto cell = [&](const std::string& act, const Recipe& recipe,
                        bool sa) -> Pick {
    return [act, label = recipe.label, sa](const RunSpec& s) {
      return s.activation == act && recipe_label(s) == label &&
             s.extra.value("sa", false) == sa;
    };
  };

  Table cells({"activation", "optimizer + schedule", "self-attention", "runs",
               "accuracy % (mean ± std)", "95% CI"});
  json cell_json = json::array();
  for (const auto& recipe : kRecipes) {
    for (bool sa : {false, true}) {
      for (const auto& act : acts) {
        const auto acc = accuracies(out.results, cell(act, recipe, sa));
        const Summary m = summarize(acc);
        cells.add({act, recipe.label, sa ? "on" : "off", std::to_string(m.n),
                   percent(m.mean) + " ± " + percent(m.std),
                   percent(m.ci_low) + " – " + percent(m.ci_high)});
        cell_json.push_back({{"activation", act},
                             {"recipe", recipe.label},
                             {"sa", sa},
                             {"accuracies", acc},
                             {"mean_acc", num(m.mean)},
                             {"ci95", {num(m.ci_low), num(m.ci_high)}}});
      }
    }
  }

  struct Factor {
    std::string name, a, b;
    Pick pick_a, pick_b;
  };
  const auto sa_is = [](bool on) {
    return [on](const RunSpec& s) { return s.extra.value("sa", false) == on; };
  };
  const auto recipe_is = [](const Recipe& recipe) {
    return [label = recipe.label](const RunSpec& s) {
      return recipe_label(s) == label;
    };
  };
  const auto act_is = [](const std::string& act) {
    return [act](const RunSpec& s) { return s.activation == act; };
  };
  const std::vector<Factor> factors = {
      {"activation", acts[0], acts[1], act_is(acts[0]), act_is(acts[1])},
      {"optimizer + schedule", kRecipes[0].label, kRecipes[1].label,
       recipe_is(kRecipes[0]), recipe_is(kRecipes[1])},
      {"self-attention", "off", "on", sa_is(false), sa_is(true)},
  };
  Table main_effects({"factor", "level A: acc % [95% CI]",
                      "level B: acc % [95% CI]", "B − A (pp)", "p (Welch)"});
  json main_json = json::array();
  for (const auto& f : factors) {
    const Contrast c = contrast(out.results, f.pick_a, f.pick_b);
    main_effects.add({f.name, f.a + ": " + mean_ci(c.a),
                      f.b + ": " + mean_ci(c.b), fixed(c.delta * 100, 2),
                      p_value(c.welch.p)});
    auto j = contrast_json(c);
    j["factor"] = f.name;
    j["a"] = f.a;
    j["b"] = f.b;
    main_json.push_back(j);
  }

  // The question the leaderboard left open: does Mish help inside each
  // recipe, with everything else fixed?
  Table within({"setting", acts[0] + " acc % [95% CI]",
                acts[1] + " acc % [95% CI]",
                acts[1] + " − " + acts[0] + " (pp)", "p (Welch)"});
  json within_json = json::array();
  for (const auto& recipe : kRecipes) {
    for (bool sa : {false, true}) {
      const std::string setting =
          recipe.label + ", self-attention " + (sa ? "on" : "off");
      const Contrast c = contrast(out.results, cell(acts[0], recipe, sa),
                                  cell(acts[1], recipe, sa));
      within.add({setting, mean_ci(c.a), mean_ci(c.b), fixed(c.delta * 100, 2),
                  p_value(c.welch.p)});
      auto j = contrast_json(c);
      j["setting"] = setting;
      within_json.push_back(j);
    }
  }

  std::string body =
      "## Test accuracy after " + std::to_string(o.epochs) +
      " epochs, per cell\n\n" + cells.markdown() +
      "\n## Main effects (each factor's two levels, the other factors "
      "pooled)\n\n" +
      main_effects.markdown() + "\n## " + acts[1] + " against " + acts[0] +
      " within each recipe\n\n" + within.markdown() +
      "\np: two-sided Welch t-test. Pooling the other factors into a main "
      "effect adds their variance to both levels, so the within-recipe rows "
      "are the sharper test of the activation.\n\n";
  body += plot_into_report(
      out, training_curves(out.results, acts, "Test accuracy by epoch"),
      "curves");
  write_report(out,
               "mish-lab ablate: activation x optimizer x self-attention, " +
                   std::to_string(o.seeds) + " seeds",
               body,
               {{"cells", cell_json},
                {"main_effects", main_json},
                {"within_recipe", within_json}});
}

void run(Options& o, RecipeSettings& r, CLI::App& cmd) {
  resolve_resume(o, "ablate", cmd);
  keep_settings(o, r, "ablate", cmd);
  if (o.activations.size() != 2) {
    throw Error("ablate compares two activations (--activations relu,mish)");
  }
  validate(o);
  Experiment e{"ablate", o, {}};
  for (int seed = 0; seed < o.seeds; ++seed) {
    int point = 0;
    for (const auto& recipe : kRecipes) {
      for (bool sa : {false, true}) {
        for (const auto& act : o.activations) {
          RunSpec s = base_spec(o);
          s.point = recipe.label + "-sa=" + (sa ? "on" : "off");
          s.x = point;
          s.activation = act;
          s.seed = seed;
          s.optimizer = recipe.optimizer;
          s.schedule = recipe.schedule;
          s.extra = run_extra(r, sa);
          e.runs.push_back(s);
        }
        ++point;
      }
    }
  }
  report(
      is_image_folder(o.data) ? run_folder_experiment(e, r) : run_experiment(e),
      o);
}

}  // namespace

void register_ablate(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto r = std::make_shared<RecipeSettings>();
  o->activations = {"relu", "mish"};
  o->model = "xresnet18";
  o->seeds = 3;
  o->epochs = 1;
  o->lr = 4e-3;
  o->weight_decay = 1e-2;
  o->batch_size = 64;
  r->widen = 0.25;
  CLI::App* cmd = app.add_subcommand(
      "ablate",
      "Activation x {adamw+one_cycle, ranger+flat_cos} x self-attention "
      "{off, on}, N seeds: cell means with 95% CIs, p-values per factor");
  add_common_options(*cmd, *o);
  add_recipe_options(*cmd, *r);
  // The grid sets these itself.
  cmd->remove_option(cmd->get_option("--optimizer"));
  cmd->remove_option(cmd->get_option("--schedule"));
  cmd->callback([o, r, cmd] { run(*o, *r, *cmd); });
}

}  // namespace mishlab::recipe
