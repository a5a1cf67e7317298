#include "mishlab/recipe/settings.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "mishlab/error.hpp"
#include "mishlab/files.hpp"

namespace mishlab::recipe {
namespace fs = std::filesystem;

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

void keep_settings(Options& o, RecipeSettings& r, const std::string& experiment,
                   CLI::App& cmd) {
  if (o.resume) {
    const fs::path path = fs::path(o.out) / "recipe.json";
    RecipeSettings stored;
    try {
      stored = nlohmann::json::parse(read_file(path)).get<RecipeSettings>();
    } catch (const nlohmann::json::exception& e) {
      throw Error("--resume: corrupt " + path.string() + ": " + e.what());
    }
    stored.workers = r.workers;  // the machine's, like --threads
    refuse_changed_flags(
        cmd, path.string(), [&] { r = stored; },
        [&] { return nlohmann::json(r); });
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
