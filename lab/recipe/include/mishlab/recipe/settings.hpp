// Settings of the recipe that the lab's Options do not hold. They travel to
// the model and optimizer factories in RunSpec::extra and are kept in
// <out>/recipe.json, so --resume rebuilds the same runs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mishlab/options.hpp"
#include "mishlab/runner.hpp"

namespace CLI {
class App;
}

namespace mishlab::recipe {

struct RecipeSettings {
  bool sa = false;             // SimpleSelfAttention in the first stage
  double widen = 1.0;          // XResNet width multiplier
  double label_smoothing = 0;  // cross-entropy target smoothing
  bool gc = false;             // gradient centralisation in Ranger/RAdam
  int size = 128;              // image-folder crop size, px
  int workers = 0;             // image-folder decoding threads (0: auto)
  bool skip_bad = false;       // skip undecodable images with a warning
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecipeSettings, sa, widen,
                                                label_smoothing, gc, size,
                                                workers, skip_bad)

// --widen, --label-smoothing, --gc, --size, --workers, --skip-bad-images.
void add_recipe_options(CLI::App& cmd, RecipeSettings& r);

// With --resume, replaces `r` (what the flags of `cmd` write to) by the
// settings stored with the experiment, refusing a flag that would change
// them; otherwise picks the output folder (as the runner would) and stores
// `r` there.
void keep_settings(Options& o, RecipeSettings& r, const std::string& experiment,
                   CLI::App& cmd);

// The settings a run's factories read.
nlohmann::json run_extra(const RecipeSettings& r, bool sa);

}  // namespace mishlab::recipe
