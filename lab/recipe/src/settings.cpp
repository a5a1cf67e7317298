#include "mishlab/recipe/settings.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "mishlab/error.hpp"
#include "mishlab/files.hpp"
#include "mishlab/nn.hpp"
#include "mishlab/recipe/radam.hpp"
#include "mishlab/recipe/ranger.hpp"
#include "mishlab/recipe/schedule.hpp"
#include "mishlab/recipe/xresnet.hpp"

namespace mishlab::recipe {
namespace fs = std::filesystem;

void register_components() {
  for (int depth : {18, 34, 50}) {
    register_model("xresnet" + std::to_string(depth),
                   [depth](const RunSpec& s, const DataShape& shape) {
                     XResNetOptions o;
                     o.depth = depth;
                     o.in_channels = shape.channels;
                     o.classes = shape.classes;
                     o.widen = s.extra.value("widen", 1.0);
                     o.small_input = shape.height < 64;  // MNIST, CIFAR
                     o.self_attention = s.extra.value("sa", false);
                     o.activation = [act = s.activation] {
                       return make_activation(act);
                     };
                     return torch::nn::AnyModule(XResNet(o));
                   });
  }
  register_optimizer("ranger", [](std::vector<torch::Tensor> p,
                                  const RunSpec& s) {
    return std::make_unique<Ranger>(
        std::move(p), RangerOptions()
                          .lr(s.lr)
                          .weight_decay(s.weight_decay)
                          .centralize_gradients(s.extra.value("gc", false)));
  });
  register_optimizer("radam", [](std::vector<torch::Tensor> p,
                                 const RunSpec& s) {
    return std::make_unique<RAdam>(
        std::move(p), RAdamOptions(s.lr)
                          .weight_decay(s.weight_decay)
                          .centralize_gradients(s.extra.value("gc", false)));
  });
  register_schedule("flat_cos", [](double t) { return flat_cos(t); });
  register_schedule("one_cycle", [](double t) { return one_cycle(t); });
}

void add_recipe_options(CLI::App& cmd, RecipeSettings& r) {
  cmd.add_option("--widen", r.widen, "XResNet width multiplier")
      ->check(CLI::Range(0.05, 8.0))
      ->capture_default_str();
  cmd.add_option("--label-smoothing", r.label_smoothing,
                 "Cross-entropy label smoothing")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd.add_flag("--gc", r.gc, "Gradient centralisation (Ranger, RAdam)");
  cmd.add_option("--size", r.size, "Image-folder crop size in px")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  cmd.add_option("--workers", r.workers,
                 "Image-folder decoding threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd.add_flag("--skip-bad-images", r.skip_bad,
               "Skip undecodable images with a warning instead of stopping");
}

void keep_settings(Options& o, RecipeSettings& r,
                   const std::string& experiment) {
  if (o.resume) {
    const fs::path stored = fs::path(o.out) / "recipe.json";
    try {
      r = nlohmann::json::parse(read_file(stored)).get<RecipeSettings>();
    } catch (const nlohmann::json::exception& e) {
      throw Error("--resume: corrupt " + stored.string() + ": " + e.what());
    }
    return;
  }
  if (o.out.empty()) {
    o.out = (fs::path("runs") / (experiment + "-" + timestamp_now())).string();
  }
  if (fs::exists(fs::path(o.out) / "config.json")) return;  // runner refuses
  fs::create_directories(o.out);
  write_file_atomic(fs::path(o.out) / "recipe.json",
                    nlohmann::json(r).dump(2) + "\n");
}

nlohmann::json run_extra(const RecipeSettings& r, bool sa) {
  return {{"sa", sa},
          {"widen", r.widen},
          {"label_smoothing", r.label_smoothing},
          {"gc", r.gc}};
}

}  // namespace mishlab::recipe
