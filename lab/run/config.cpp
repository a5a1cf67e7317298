#include "run/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "common/error.hpp"
#include "train/models.hpp"

namespace mishlab {

using nlohmann::json;

namespace {

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

bool named(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Settings to JSON and back, for RunConfig and TrainSettings alike.
template <typename Settings>
json to_json_object(const Settings& settings, bool locators) {
  json j = json::object();
  settings.for_each([&](const auto& field, const SettingInfo& info) {
    if (locators || info.kind != SettingKind::kLocator) j[info.name] = field;
  });
  return j;
}

template <typename Settings>
Settings from_json_object(const json& j, const std::string& where,
                          bool locators) {
  if (!j.is_object()) throw Error(where + ": the settings are not an object");
  Settings settings;
  settings.for_each([&](auto& field, const SettingInfo& info) {
    if (!locators && info.kind == SettingKind::kLocator) return;
    const auto it = j.find(info.name);
    if (it == j.end()) {
      throw Error(where + ": no setting '" + info.name +
                  "' (written by another version of mish-lab?)");
    }
    try {
      field = it->template get<std::decay_t<decltype(field)>>();
    } catch (const json::exception&) {
      throw Error(where + ": setting '" + info.name + "' holds " + it->dump() +
                  ", not a value of its type");
    }
  });
  return settings;
}

std::string shown(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

std::vector<std::string> default_inits() {
  std::vector<std::string> names = init_names();
  names.erase(std::remove(names.begin(), names.end(), "default"), names.end());
  return names;
}

std::vector<std::string> device_names() { return {"cpu", "cuda", "auto"}; }

std::vector<SettingInfo> setting_infos() {
  std::vector<SettingInfo> infos;
  RunConfig().for_each(
      [&](const auto&, const SettingInfo& info) { infos.push_back(info); });
  return infos;
}

void check_settings(const RunConfig& config) {
  config.for_each([](const auto& field, const SettingInfo& info) {
    check_setting(info, field);
  });
  if (config.train.fused_bn_mish && !fuses_bn_mish(config.train.model)) {
    throw Error("--fused-bn-mish: model '" + config.train.model +
                "' has no 2-D batch norm followed by an activation (cnn, "
                "resnet20 and xresnet* have)");
  }
}

json settings_json(const RunConfig& config) {
  return to_json_object(config, false);
}

RunConfig settings_from_json(const json& settings, const std::string& where) {
  return from_json_object<RunConfig>(settings, where, false);
}

json train_json(const TrainSettings& train) {
  return to_json_object(train, false);
}

TrainSettings train_from_json(const json& train) {
  return from_json_object<TrainSettings>(train, "run settings", false);
}

std::string settings_as_flags(const RunConfig& config,
                              const std::vector<std::string>& names) {
  std::string line;
  config.for_each([&](const auto& field, const SettingInfo& info) {
    using T = std::decay_t<decltype(field)>;
    if (!named(names, info.name) || info.kind != SettingKind::kStored) return;
    std::string value;
    if constexpr (std::is_same_v<T, bool>) {
      if (!field) return;
    } else if constexpr (IsVector<T>::value) {
      for (const auto& v : field) {
        if constexpr (std::is_arithmetic_v<std::decay_t<decltype(v)>>) {
          value +=
              (value.empty() ? "" : ",") + setting_text(static_cast<double>(v));
        } else {
          value += (value.empty() ? "" : ",") + v;
        }
      }
    } else if constexpr (std::is_arithmetic_v<T>) {
      value = setting_text(static_cast<double>(field));
    } else {
      value = field;
    }
    line += (line.empty() ? "" : " ") + info.long_flag();
    if constexpr (!std::is_same_v<T, bool>) line += " " + value;
  });
  return line;
}

void ConfigFlags::add_flags(
    CLI::App& cmd, RunConfig& config, const std::vector<std::string>& names,
    const std::multimap<std::string, std::string>& aliases) {
  // A misspelt name would silently drop the flag from the command.
  const std::vector<SettingInfo> declared = setting_infos();
  for (const std::string& name : names) {
    if (std::none_of(declared.begin(), declared.end(),
                     [&](const SettingInfo& i) { return i.name == name; })) {
      throw std::logic_error("mish-lab " + cmd.get_name() + " offers '" + name +
                             "', which no setting declares");
    }
  }
  for (const auto& [name, flag] : aliases) {
    if (!named(names, name.c_str())) {
      throw std::logic_error("mish-lab " + cmd.get_name() + " gives " + flag +
                             " to '" + name + "', a setting it does not offer");
    }
  }
  config.for_each([&](auto& field, const SettingInfo& info) {
    using T = std::decay_t<decltype(field)>;
    if (!named(names, info.name)) return;
    std::string flags = info.flag;
    const auto [begin, end] = aliases.equal_range(info.name);
    for (auto it = begin; it != end; ++it) flags += "," + it->second;
    CLI::Option* option = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
      option = cmd.add_flag(flags, field, info.help);
    } else {
      option = cmd.add_option(flags, field, info.help)->capture_default_str();
      if constexpr (IsVector<T>::value) option->delimiter(',');
    }
    options_[info.name] = option;
  });
}

std::vector<std::string> ConfigFlags::given() const {
  std::vector<std::string> names;
  for (const auto& [name, option] : options_) {
    if (option->count() > 0) names.push_back(name);
  }
  return names;
}

RunConfig resumed_config(const RunConfig& flags,
                         const std::vector<std::string>& given,
                         const json& stored, const std::string& where) {
  const RunConfig kept = settings_from_json(stored, where);
  const json typed = to_json_object(flags, true);
  json merged = to_json_object(kept, true);
  for (const SettingInfo& info : setting_infos()) {
    if (info.kind != SettingKind::kStored) {
      merged[info.name] = typed.at(info.name);
    } else if (named(given, info.name) &&
               typed.at(info.name) != merged.at(info.name)) {
      throw Error("--resume: " + info.long_flag() + " " +
                  shown(typed.at(info.name)) + " differs from " +
                  shown(merged.at(info.name)) + " stored in " + where +
                  "; leave the flag out or choose another --out");
    }
  }
  return from_json_object<RunConfig>(merged, where, true);
}

}  // namespace mishlab
