#include <algorithm>
#include <cctype>

#include "common/error.hpp"
#include "common/files.hpp"
#include "data/image_transform.hpp"
#include "data/png.hpp"
#include "data/segmentation.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

RgbImage read_image(const fs::path& file) {
  const std::string bytes = read_file(file);
  return lower_extension(file) == ".png" ? decode_png(bytes, file.string())
                                         : decode_jpeg(bytes, file.string());
}

// Nearest-neighbour resize: class indices must not be blended.
void resize_mask(const IndexImage& mask, int size, uint8_t* out) {
  for (int v = 0; v < size; ++v) {
    const int64_t y = int64_t{v} * mask.height / size;
    for (int u = 0; u < size; ++u) {
      const int64_t x = int64_t{u} * mask.width / size;
      out[v * size + u] = mask.pixels[static_cast<size_t>(y * mask.width + x)];
    }
  }
}

}  // namespace

bool is_segmentation_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "train" / "images", ec) &&
         fs::is_directory(dir / "train" / "masks", ec);
}

SegmentationSet read_segmentation_folder(const fs::path& dir, int size,
                                         uint64_t limit) {
  const fs::path images = dir / "images";
  std::error_code ec;
  if (!fs::is_directory(images, ec) || !fs::is_directory(dir / "masks", ec)) {
    throw Error(dir.string() + ": expected images/ and masks/ folders");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(images)) {
    const std::string ext = lower_extension(entry.path());
    if (entry.is_regular_file() &&
        (ext == ".png" || ext == ".jpg" || ext == ".jpeg")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (limit < files.size()) files.resize(limit);
  if (files.empty()) {
    throw Error(images.string() + ": no .png, .jpg or .jpeg images");
  }
  SegmentationSet s;
  s.count = static_cast<int64_t>(files.size());
  s.channels = 3;
  s.height = size;
  s.width = size;
  const auto area = static_cast<size_t>(size) * size;
  s.pixels.resize(files.size() * 3 * area);
  s.masks.resize(files.size() * area);
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path mask_file =
        dir / "masks" / (files[i].stem().string() + ".png");
    if (!fs::is_regular_file(mask_file, ec)) {
      throw Error(mask_file.string() + ": missing (the mask of " +
                  files[i].string() + ")");
    }
    const RgbImage image = read_image(files[i]);
    const IndexImage mask =
        decode_png_indices(read_file(mask_file), mask_file.string());
    if (mask.width != image.width || mask.height != image.height) {
      throw Error(
          mask_file.string() + ": mask is " + std::to_string(mask.width) +
          " x " + std::to_string(mask.height) + " px, its image " +
          std::to_string(image.width) + " x " + std::to_string(image.height));
    }
    resample(image,
             {0, 0, static_cast<double>(image.width),
              static_cast<double>(image.height)},
             size, false, s.pixels.data() + i * 3 * area);
    resize_mask(mask, size, s.masks.data() + i * area);
    int largest = -1;
    for (const uint8_t c : mask.pixels) {
      if (c != kIgnoreIndex) largest = std::max<int>(largest, c);
    }
    s.largest_class.push_back(largest);
    s.mask_files.push_back(mask_file.string());
  }
  return s;
}

int64_t check_classes(const std::vector<const SegmentationSet*>& sets,
                      int64_t classes) {
  int64_t found = 0;
  for (const SegmentationSet* s : sets) {
    for (const int c : s->largest_class)
      found = std::max<int64_t>(found, c + 1);
  }
  if (classes <= 0) return found;
  for (const SegmentationSet* s : sets) {
    for (size_t n = 0; n < s->largest_class.size(); ++n) {
      if (s->largest_class[n] < classes) continue;
      throw Error((n < s->mask_files.size() ? s->mask_files[n]
                                            : "example " + std::to_string(n)) +
                  ": class index " + std::to_string(s->largest_class[n]) +
                  " is not below the number of classes (" +
                  std::to_string(classes) + ")");
    }
  }
  return classes;
}

}  // namespace mishlab
