#include "run/feature_cache.hpp"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"
#include "common/files.hpp"

namespace mishlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "mish-lab feature classifier";
constexpr int kVersion = 1;

std::string fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (const char c : bytes) {
    h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  }
  return std::to_string(h);
}

json shape_json(const DataShape& s) {
  return {s.channels, s.height, s.width, s.classes};
}

std::shared_ptr<FeatureNetImpl> load(const fs::path& file,
                                     const std::string& key,
                                     const DataShape& shape,
                                     c10::Device device) {
  const std::string bytes = read_file(file);
  const auto corrupt = [&](const std::string& why) {
    return Error(file.string() + ": corrupt feature-classifier cache (" + why +
                 "); delete it to train the classifier again");
  };
  const size_t end = bytes.find('\n');
  if (end == std::string::npos) throw corrupt("no header");
  json header;
  try {
    header = json::parse(bytes.substr(0, end));
  } catch (const json::exception&) {
    throw corrupt("unreadable header");
  }
  if (!header.is_object() || header.value("format", "") != kFormat ||
      header.value("version", 0) != kVersion) {
    throw corrupt("not a version " + std::to_string(kVersion) + " header");
  }
  if (header.value("key", "") != key ||
      header.value("shape", json()) != shape_json(shape)) {
    throw corrupt("made for another data set");
  }
  const std::string_view archive = std::string_view(bytes).substr(end + 1);
  if (header.value("bytes", json()) != archive.size() ||
      header.value("fnv1a", "") != fnv1a(archive)) {
    throw corrupt("truncated or altered archive");
  }
  auto net = std::make_shared<FeatureNetImpl>(shape);
  try {
    torch::serialize::InputArchive in;
    in.load_from(archive.data(), archive.size(), device);
    net->load(in);
  } catch (const std::exception&) {
    throw corrupt("unreadable archive");
  }
  net->to(device);
  net->eval();
  return net;
}

}  // namespace

std::shared_ptr<FeatureNetImpl> cached_feature_net(const fs::path& file,
                                                   const std::string& key,
                                                   const TensorData& all,
                                                   bool quiet) {
  const c10::Device device = all.train.x.device();
  if (!fs::exists(file)) {
    if (!quiet) {
      std::fprintf(stderr,
                   "training the feature classifier for Fréchet distances on "
                   "%ld images (once per data set) -> %s\n",
                   static_cast<long>(all.train.size()), file.c_str());
    }
    double accuracy = 0;
    FeatureNet net =
        train_feature_net(all.train, all.test, all.shape, &accuracy);
    torch::serialize::OutputArchive out;
    net->save(out);
    std::ostringstream archive;
    out.save_to(archive);
    const json header = {{"format", kFormat},
                         {"version", kVersion},
                         {"key", key},
                         {"shape", shape_json(all.shape)},
                         {"bytes", archive.str().size()},
                         {"fnv1a", fnv1a(archive.str())},
                         {"test_accuracy", accuracy}};
    make_folder(file.parent_path());
    create_file_once(file, header.dump() + "\n" + archive.str());
    if (!quiet) {
      std::fprintf(stderr, "feature classifier: %.2f %% test accuracy\n",
                   accuracy * 100);
    }
  }
  return load(file, key, all.shape, device);
}

}  // namespace mishlab
