#include "data/image_folder.hpp"

#include <algorithm>
#include <cctype>

#include "common/error.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

bool is_jpeg_name(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg";
}

}  // namespace

bool is_image_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "train", ec) &&
         fs::is_directory(dir / "val", ec);
}

ImageFolder scan_image_folder(const fs::path& root,
                              const std::vector<std::string>& classes) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw Error(root.string() + ": not a folder (expected <class>/*.jpg)");
  }
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) found.push_back(entry.path().filename().string());
  }
  std::sort(found.begin(), found.end());
  ImageFolder folder;
  folder.classes = classes.empty() ? found : classes;
  for (const auto& name : found) {
    const auto it =
        std::find(folder.classes.begin(), folder.classes.end(), name);
    if (it == folder.classes.end()) {
      throw Error(root.string() + ": class folder '" + name +
                  "' is not among the training classes");
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(root / name)) {
      if (entry.is_regular_file() && is_jpeg_name(entry.path())) {
        files.push_back(entry.path());
      }
    }
    if (files.empty() && classes.empty()) {
      throw Error((root / name).string() +
                  ": class folder without .jpg/.jpeg images (remove it or "
                  "add its images)");
    }
    std::sort(files.begin(), files.end());
    const auto label = static_cast<int64_t>(it - folder.classes.begin());
    for (auto& f : files) {
      folder.files.push_back(std::move(f));
      folder.labels.push_back(label);
    }
  }
  if (folder.files.empty()) {
    throw Error(root.string() + ": no .jpg/.jpeg images in <class>/ folders");
  }
  return folder;
}

ImageFolder spread_subset(ImageFolder folder, int64_t limit) {
  const auto total = static_cast<int64_t>(folder.files.size());
  if (limit <= 0 || limit >= total) return folder;
  ImageFolder out;
  out.classes = std::move(folder.classes);
  for (int64_t i = 0; i < limit; ++i) {
    const auto k = static_cast<size_t>(i * total / limit);
    out.files.push_back(std::move(folder.files[k]));
    out.labels.push_back(folder.labels[k]);
  }
  return out;
}

}  // namespace mishlab
