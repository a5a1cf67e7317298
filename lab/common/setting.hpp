#pragma once

// The vocabulary of mish-lab's settings. Each setting is declared once, as
// one line of an X-macro list (train/settings.hpp: what one run trains with;
// run/config.hpp: what an experiment runs, and on what), giving
//   X(type, name, default, flag, kind, check, help)
// From those lines come the struct fields, the command-line flags, the
// config.json keys, the --resume comparison, the checks that run before
// anything is written, and the report header. Adding a setting is one line.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace mishlab {

enum class SettingKind {
  kStored,   // part of the experiment: --resume refuses a different value
  kMachine,  // how this machine runs it (threads, device): --resume takes
             // the flag's value
  kLocator,  // where the experiment is (--out, --resume): not compared
};

// The values a setting accepts; for a list, each element, no value twice,
// and at least one.
struct Check {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;                            // min itself refused
  std::function<std::vector<std::string>()> names;  // strings: one of these

  static Check any() { return {}; }
  // A finite number in [min, max].
  static Check range(double min, double max) { return {min, max, false, {}}; }
  // A finite number in (min, max].
  static Check above(double min, double max) { return {min, max, true, {}}; }
  static Check one_of(std::function<std::vector<std::string>()> names) {
    Check c;
    c.names = std::move(names);
    return c;
  }
};

struct SettingInfo {
  const char* name;  // the field and config.json key: "train_limit"
  const char* flag;  // CLI11 names: "--train-limit", "--activations,-a"
  const char* help;
  SettingKind kind;
  Check check;

  // The flag as a user types it: "--activations".
  std::string long_flag() const;
};

// A value as the command line writes it: "0.01", "mish".
std::string setting_text(double value);
inline std::string setting_text(const std::string& value) { return value; }

// Throw Error("--lr nan: not a finite number") and the like when a value
// fails the setting's check.
void check_setting(const SettingInfo& s, double value);
void check_setting(const SettingInfo& s, const std::string& value);
inline void check_setting(const SettingInfo&, bool) {}
[[noreturn]] void throw_repeated(const SettingInfo& s,
                                 const std::string& value);
// Integers are checked as numbers.
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                  !std::is_same_v<T, bool>>>
void check_setting(const SettingInfo& s, T value) {
  check_setting(s, static_cast<double>(value));
}
[[noreturn]] void throw_empty(const SettingInfo& s);
template <typename T>
void check_setting(const SettingInfo& s, const std::vector<T>& values) {
  if (values.empty()) throw_empty(s);
  for (size_t i = 0; i < values.size(); ++i) {
    check_setting(s, values[i]);
    for (size_t k = 0; k < i; ++k) {
      if (values[k] == values[i]) {
        if constexpr (std::is_arithmetic_v<T>) {
          throw_repeated(s, setting_text(static_cast<double>(values[i])));
        } else {
          throw_repeated(s, values[i]);
        }
      }
    }
  }
}

}  // namespace mishlab

// The X-macro bodies: a field with its default, and a visitor call.
#define MISHLAB_SETTING_FIELD(type, name, value, flag, kind, check, help) \
  type name = value;
#define MISHLAB_SETTING_VISIT(type, name, value, flag, kind, check, help) \
  visitor(self.name,                                                      \
          ::mishlab::SettingInfo{#name, flag, help,                       \
                                 ::mishlab::SettingKind::kind, check});

// Inside a struct whose fields LIST declares: for_each(visitor) calls
// visitor(field, SettingInfo) for every setting, in declaration order.
#define MISHLAB_SETTINGS_STRUCT_BODY(LIST)           \
  LIST(MISHLAB_SETTING_FIELD)                        \
  template <typename Visitor>                        \
  void for_each(Visitor&& visitor) {                 \
    visit(*this, visitor);                           \
  }                                                  \
  template <typename Visitor>                        \
  void for_each(Visitor&& visitor) const {           \
    visit(*this, visitor);                           \
  }                                                  \
                                                     \
 private:                                            \
  template <typename Self, typename Visitor>         \
  static void visit(Self& self, Visitor& visitor) {  \
    LIST(MISHLAB_SETTING_VISIT)                      \
  }
