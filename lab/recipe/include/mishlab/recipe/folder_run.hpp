// Runs an experiment on an image folder (train/<class>/*.jpg,
// val/<class>/*.jpg) streamed through ImageFolderLoader: the same output
// folder, config.json, per-epoch checkpoints, --resume and results.csv as
// the lab's in-memory runner, with the lab's Trainer doing every step.
#pragma once

#include <filesystem>

#include "mishlab/recipe/settings.hpp"
#include "mishlab/runner.hpp"

namespace mishlab::recipe {

// True when `dir` holds train/ and val/ folders (the ImageNet layout).
bool is_image_folder(const std::filesystem::path& dir);

Outcome run_folder_experiment(const Experiment& e, const RecipeSettings& r);

}  // namespace mishlab::recipe
