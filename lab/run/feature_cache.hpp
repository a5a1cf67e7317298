#pragma once

// The classifier that scores generated images, trained once per data set
// and kept on disk, so that Fréchet distances compare across runs,
// activations and experiments.

#include <filesystem>
#include <memory>
#include <string>

#include "train/feature_net.hpp"

namespace mishlab {

// The feature classifier stored in `file` for the data set `key` (a
// fingerprint of all its examples); when there is none, trains one on
// `all` (every training and test example, pixels in [-1, 1] and labels)
// and stores it with create_file_once (concurrent shards keep one). The
// file holds a JSON header line (format, key, image shape, size and
// FNV-1a of the archive, test accuracy) and LibTorch's archive. Throws
// Error naming `file` when it is corrupt, truncated or another data set's:
// delete it to train again.
std::shared_ptr<FeatureNetImpl> cached_feature_net(
    const std::filesystem::path& file, const std::string& key,
    const TensorData& all, bool quiet);

}  // namespace mishlab
