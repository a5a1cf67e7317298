// Runs an experiment on an image folder (train/<class>/*.jpg,
// val/<class>/*.jpg) streamed through ImageFolderLoader, with the lab's
// runner (output folder, config.json, per-epoch checkpoints, --resume,
// results.csv) and its Trainer doing every step.
#pragma once

#include <filesystem>

#include "mishlab/recipe/settings.hpp"
#include "mishlab/runner.hpp"

namespace mishlab::recipe {

// True when `dir` holds train/ and val/ folders (the ImageNet layout).
bool is_image_folder(const std::filesystem::path& dir);

Outcome run_folder_experiment(const Experiment& e, const RecipeSettings& r);

}  // namespace mishlab::recipe
