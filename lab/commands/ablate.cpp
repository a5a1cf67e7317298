// `mish-lab ablate`: activation {relu, mish} x optimizer+schedule
// {adamw+one_cycle, ranger+flat_cos} x self-attention {off, on}, N seeds,
// to separate what Mish gives from what the rest of the recipe gives.
#include <functional>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "common/error.hpp"
#include "report/table.hpp"

namespace mishlab {
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
  return s.train.optimizer == "ranger" ? kRecipes[1].label : kRecipes[0].label;
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
  return percent(s.mean) + " [" + ci_range(s) + "]";
}

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
  return {
      {"mean_a", json_number(c.a.mean)}, {"n_a", c.a.n},
      {"mean_b", json_number(c.b.mean)}, {"n_b", c.b.n},
      {"delta", json_number(c.delta)},   {"p_value", json_number(c.welch.p)}};
}

void report(const Finished& f) {
  const std::vector<RunResult>& results = f.outcome.results;
  const auto& acts = f.config.experiment.activations;
  const auto cell = [&](const std::string& act, const Recipe& recipe,
                        bool sa) -> Pick {
    return [act, label = recipe.label, sa](const RunSpec& s) {
      return s.activation == act && recipe_label(s) == label &&
             s.train.sa == sa;
    };
  };

  Table cells({"activation", "optimizer + schedule", "self-attention", "runs",
               "accuracy % (mean ± std)", "95% CI"});
  json cell_json = json::array();
  for (const auto& recipe : kRecipes) {
    for (bool sa : {false, true}) {
      for (const auto& act : acts) {
        const auto acc = accuracies(results, cell(act, recipe, sa));
        const Summary m = summarize(acc);
        cells.add({act, recipe.label, sa ? "on" : "off", std::to_string(m.n),
                   mean_std(m), ci_range(m)});
        cell_json.push_back(
            {{"activation", act},
             {"recipe", recipe.label},
             {"sa", sa},
             {"accuracies", acc},
             {"mean_acc", json_number(m.mean)},
             {"ci95", {json_number(m.ci_low), json_number(m.ci_high)}}});
      }
    }
  }

  struct Factor {
    std::string name, a, b;
    Pick pick_a, pick_b;
  };
  const auto sa_is = [](bool on) {
    return [on](const RunSpec& s) { return s.train.sa == on; };
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
  for (const Factor& factor : factors) {
    const Contrast c = contrast(results, factor.pick_a, factor.pick_b);
    main_effects.add({factor.name, factor.a + ": " + mean_ci(c.a),
                      factor.b + ": " + mean_ci(c.b), fixed(c.delta * 100, 2),
                      p_value(c.welch.p)});
    auto j = contrast_json(c);
    j["factor"] = factor.name;
    j["a"] = factor.a;
    j["b"] = factor.b;
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
      const Contrast c = contrast(results, cell(acts[0], recipe, sa),
                                  cell(acts[1], recipe, sa));
      within.add({setting, mean_ci(c.a), mean_ci(c.b), fixed(c.delta * 100, 2),
                  p_value(c.welch.p)});
      auto j = contrast_json(c);
      j["setting"] = setting;
      within_json.push_back(j);
    }
  }

  std::string body =
      "## Test accuracy after " + std::to_string(f.config.train.epochs) +
      " epochs, per cell\n\n" + cells.markdown() +
      "\n## Main effects (each factor's two levels, the other factors "
      "pooled)\n\n" +
      main_effects.markdown() + "\n## " + acts[1] + " against " + acts[0] +
      " within each recipe\n\n" + within.markdown() +
      "\np: two-sided Welch t-test. Pooling the other factors into a main "
      "effect adds their variance to both levels, so the within-recipe rows "
      "are the sharper test of the activation.\n\n";
  body += plot_into_report(
      f, training_curves(results, acts, "Test accuracy by epoch"), "curves");
  write_report(f,
               "mish-lab ablate: activation x optimizer x self-attention, " +
                   std::to_string(f.config.experiment.seeds) + " seeds",
               body,
               {{"cells", cell_json},
                {"main_effects", main_json},
                {"within_recipe", within_json}});
}

// Points: each optimizer + schedule with self-attention off and on.
std::vector<RunSpec> runs(const RunConfig& c) {
  std::vector<GridPoint> points;
  for (const auto& recipe : kRecipes) {
    for (bool sa : {false, true}) {
      points.push_back({recipe.label + "-sa=" + (sa ? "on" : "off"),
                        static_cast<double>(points.size()),
                        [recipe, sa](RunSpec& r) {
                          r.train.optimizer = recipe.optimizer;
                          r.train.schedule = recipe.schedule;
                          r.train.sa = sa;
                        }});
    }
  }
  return grid(c, points);
}

}  // namespace

void register_ablate(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "ablate";
  def.help =
      "Activation x {adamw+one_cycle, ranger+flat_cos} x self-attention "
      "{off, on}, N seeds: cell means with 95% CIs, p-values per factor";
  def.flags = {"widen", "gc",      "label_smoothing", "precision",
               "size",  "workers", "skip_bad_images"};
  def.hidden = {"optimizer", "schedule"};  // the grid sets them per point
  def.defaults = [](RunConfig& c) {
    c.experiment.activations = {"relu", "mish"};
    c.experiment.seeds = 3;
    c.train.model = "xresnet18";
    c.train.epochs = 1;
    c.train.lr = 4e-3;
    c.train.weight_decay = 1e-2;
    c.train.batch_size = 64;
    c.train.widen = 0.25;
    c.train.precision = "bf16";
  };
  def.check = [](const RunConfig& c) {
    if (c.experiment.activations.size() != 2) {
      throw Error("ablate compares two activations (--activations relu,mish)");
    }
  };
  def.runs = runs;
  def.report = report;
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
