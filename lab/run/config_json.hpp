#pragma once

// config.json, the file that makes a folder an experiment's: written by the
// runner (run/runner.hpp), read back by --resume, by a sweep's later shards
// and by `mish-lab report`, all through read_config_json.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace mishlab {

struct StoredConfig {
  std::filesystem::path file;  // DIR/config.json
  std::string experiment;      // the subcommand that wrote it
  nlohmann::json settings;     // settings_json() of its RunConfig
  nlohmann::json all;          // the whole file
};

// Reads DIR/config.json. Throws Error, one line naming the file, when it is
// missing, unreadable, not JSON, or holds no experiment name or settings.
StoredConfig read_config_json(const std::filesystem::path& dir);

}  // namespace mishlab
