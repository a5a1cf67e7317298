#include "run/config_json.hpp"

#include "common/error.hpp"
#include "common/files.hpp"

namespace mishlab {

using nlohmann::json;

StoredConfig read_config_json(const std::filesystem::path& dir) {
  StoredConfig stored;
  stored.file = dir / "config.json";
  const std::string name = stored.file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(stored.file, ec)) {
    throw Error(name + " does not exist: " + dir.string() +
                " holds no experiment");
  }
  try {
    stored.all = json::parse(read_file(stored.file));
  } catch (const json::exception& e) {
    throw Error(name + ": not JSON (" + e.what() + ")");
  }
  const auto experiment = stored.all.find("experiment");
  const auto settings = stored.all.find("settings");
  if (!stored.all.is_object() || experiment == stored.all.end() ||
      !experiment->is_string() || settings == stored.all.end() ||
      !settings->is_object()) {
    throw Error(name + ": no experiment name and settings");
  }
  stored.experiment = experiment->get<std::string>();
  stored.settings = *settings;
  return stored;
}

}  // namespace mishlab
