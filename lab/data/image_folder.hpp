#pragma once

// Image folders in the ImageNet layout (train/<class>/*.jpg,
// val/<class>/*.jpg), as Imagenette and ImageWoof ship them: the file list.
// train/folder_batches.hpp decodes them into batches.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mishlab {

struct ImageFolder {
  std::vector<std::string> classes;
  std::vector<std::filesystem::path> files;
  std::vector<int64_t> labels;  // index into classes, per file
};

// True when `dir` holds train/ and val/ folders.
bool is_image_folder(const std::filesystem::path& dir);

// Lists root/<class>/*.{jpg,jpeg} (any case), sorted. Without `classes`
// (a training folder) the class folders found are the classes, and one
// without images is an error; with `classes` (validation) that order is
// used, other class folders are rejected and empty ones add nothing.
// Throws Error when root is missing or holds no images.
ImageFolder scan_image_folder(const std::filesystem::path& root,
                              const std::vector<std::string>& classes = {});

// `limit` files spread evenly over the sorted list, so every class keeps its
// share; the whole folder when limit is 0 or not below its size.
ImageFolder spread_subset(ImageFolder folder, int64_t limit);

}  // namespace mishlab
