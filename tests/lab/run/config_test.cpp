// The one configuration: every declared setting round-trips through
// config.json, the report header's flags and --resume, and every value
// outside its range is refused before anything runs.
#include "run/config.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "common/error.hpp"

namespace mishlab {
namespace {

using nlohmann::json;

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// A valid value other than the default, for any setting.
struct Mutate {
  template <typename T>
  void operator()(T& field, const SettingInfo& info) const {
    const Check& c = info.check;
    if constexpr (std::is_same_v<T, bool>) {
      field = !field;
    } else if constexpr (std::is_same_v<T, std::string>) {
      field = other_name(field, c);
    } else if constexpr (IsVector<T>::value) {
      using E = typename T::value_type;
      if constexpr (std::is_same_v<E, std::string>) {
        const auto names = c.names();
        field = {names.back(), names.front()};
      } else {
        field = {static_cast<E>(number(c, 0.5)), static_cast<E>(number(c, 1))};
      }
    } else {
      const T changed = static_cast<T>(number(c, 2));
      field = changed != field ? changed : static_cast<T>(number(c, 3));
    }
  }
  static std::string other_name(const std::string& value, const Check& c) {
    if (!c.names) return value + "-changed";
    for (const auto& n : c.names()) {
      if (n != value) return n;
    }
    return value;
  }
  // A number in the check's range: min + k where the range allows it.
  static double number(const Check& c, double k) {
    const double low = std::isfinite(c.min) ? c.min : 0;
    const double v = low + k;
    return v <= c.max ? v : (low + c.max) / 2;
  }
};

RunConfig mutated() {
  RunConfig c;
  c.for_each(Mutate());
  c.train.model = "resnet20";  // one that --fused-bn-mish (mutated) allows
  return c;
}

TEST(Config, EverySettingIsDeclaredWithAFlagAndHelp) {
  const auto infos = setting_infos();
  EXPECT_GE(infos.size(), 30u);
  for (const SettingInfo& i : infos) {
    EXPECT_EQ(std::string(i.flag).rfind("--", 0), 0u) << i.name;
    EXPECT_GT(std::string(i.help).size(), 5u) << i.name;
    std::string dashed = i.name;
    for (char& ch : dashed) ch = ch == '_' ? '-' : ch;
    EXPECT_EQ(i.long_flag(), "--" + dashed) << i.name;
  }
}

TEST(Config, EverySettingRoundTripsThroughConfigJson) {
  const RunConfig defaults;
  const RunConfig changed = mutated();
  check_settings(changed);  // the mutations are valid values
  const json stored = json::parse(settings_json(changed).dump());
  const RunConfig back = settings_from_json(stored, "config.json");
  EXPECT_EQ(settings_json(back), settings_json(changed));
  // Each stored setting differs from its default: none is left out.
  const json d = settings_json(defaults);
  for (const SettingInfo& i : setting_infos()) {
    if (i.kind == SettingKind::kLocator) {
      EXPECT_FALSE(stored.contains(i.name)) << i.name;
      continue;
    }
    ASSERT_TRUE(stored.contains(i.name)) << i.name;
    EXPECT_NE(stored.at(i.name), d.at(i.name)) << i.name;
  }
  json missing = stored;
  missing.erase("width");
  try {
    settings_from_json(missing, "x/config.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no setting 'width'"),
              std::string::npos);
  }
  json wrong = stored;
  wrong["lr"] = "fast";
  EXPECT_THROW(settings_from_json(wrong, "x"), Error);
}

TEST(Config, ResumeRestoresEveryStoredSettingAndTakesTheMachines) {
  const RunConfig stored = mutated();
  RunConfig flags;  // a bare `--resume --out DIR --threads 3`
  flags.experiment.resume = true;
  flags.experiment.out = "DIR";
  flags.experiment.threads = 3;
  const RunConfig r = resumed_config(flags, {"resume", "out", "threads"},
                                     settings_json(stored), "DIR/config.json");
  const json got = settings_json(r);
  const json want = settings_json(stored);
  for (const SettingInfo& i : setting_infos()) {
    if (i.kind == SettingKind::kStored) {
      EXPECT_EQ(got.at(i.name), want.at(i.name)) << i.name;
    } else if (i.kind == SettingKind::kMachine) {
      EXPECT_EQ(got.at(i.name), settings_json(flags).at(i.name)) << i.name;
    }
  }
  EXPECT_EQ(r.experiment.out, "DIR");
  EXPECT_TRUE(r.experiment.resume);
  EXPECT_EQ(r.experiment.threads, 3);
}

// depth --width 128, resumed with --width 500, used to train at 500: any
// stored setting given again with another value is refused, naming it.
TEST(Config, ResumeRefusesEveryChangedSetting) {
  const RunConfig defaults;
  const json stored = settings_json(defaults);
  const RunConfig changed = mutated();
  for (const SettingInfo& i : setting_infos()) {
    if (i.kind != SettingKind::kStored) continue;
    try {
      resumed_config(changed, {i.name}, stored, "c.json");
      ADD_FAILURE() << i.name << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find("--resume: " + i.long_flag() + " "),
                0u)
          << e.what();
    }
    // The same value given again is fine.
    EXPECT_NO_THROW(resumed_config(defaults, {i.name}, stored, "c.json"));
  }
}

TEST(Config, TheReportsFlagsParseBackToTheSameSettings) {
  const RunConfig changed = mutated();
  std::vector<std::string> names;
  for (const SettingInfo& i : setting_infos()) {
    if (i.kind == SettingKind::kStored) names.push_back(i.name);
  }
  const std::string line = settings_as_flags(changed, names);
  std::vector<std::string> args{"mish-lab"};
  std::istringstream words(line);
  for (std::string w; words >> w;) args.push_back(w);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  CLI::App app;
  RunConfig parsed;
  ConfigFlags flags;
  flags.add_flags(app, parsed, names, {});
  app.parse(static_cast<int>(argv.size()), argv.data());
  const json a = settings_json(parsed);
  const json b = settings_json(changed);
  for (const auto& n : names) EXPECT_EQ(a.at(n), b.at(n)) << n << ": " << line;
}

// A misspelt name in a command's flag list would silently drop the flag.
TEST(Config, FlagsNoSettingDeclaresAreRefused) {
  const auto refused =
      [](const std::vector<std::string>& names,
         const std::multimap<std::string, std::string>& aliases,
         const std::string& message) {
        CLI::App app("", "cmd");
        RunConfig config;
        ConfigFlags flags;
        try {
          flags.add_flags(app, config, names, aliases);
          ADD_FAILURE() << message;
        } catch (const std::logic_error& e) {
          EXPECT_EQ(std::string(e.what()), message);
        }
      };
  refused({"seeds", "sedes"}, {},
          "mish-lab cmd offers 'sedes', which no setting declares");
  refused({"seeds"}, {{"batch_size", "--bs"}},
          "mish-lab cmd gives --bs to 'batch_size', a setting it does not "
          "offer");
  CLI::App app("", "cmd");
  RunConfig config;
  ConfigFlags flags;
  EXPECT_NO_THROW(flags.add_flags(app, config, {"seeds", "batch_size"},
                                  {{"batch_size", "--bs"}}));
}

TEST(Config, NonFiniteAndOutOfRangeValuesAreRefused) {
  for (const SettingInfo& i : setting_infos()) {
    RunConfig c;
    bool numeric = false;
    c.for_each([&](auto& field, const SettingInfo& info) {
      if constexpr (std::is_same_v<std::decay_t<decltype(field)>, double>) {
        if (std::string(info.name) == i.name) {
          field = NAN;
          numeric = true;
        }
      }
    });
    if (!numeric) continue;
    try {
      check_settings(c);
      ADD_FAILURE() << i.name << " accepted NaN";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                i.long_flag() + " nan: not a finite number");
    }
  }
  RunConfig c;
  c.train.lr = INFINITY;
  EXPECT_THROW(check_settings(c), Error);
  c = RunConfig();
  c.train.lr = 0;
  EXPECT_THROW(check_settings(c), Error);
  c = RunConfig();
  c.train.momentum = 1.5;
  EXPECT_THROW(check_settings(c), Error);
  c = RunConfig();
  c.experiment.train_limit = -1;
  EXPECT_THROW(check_settings(c), Error);
}

TEST(Config, FusedBatchNormMishNeedsAModelWithBatchNorm2d) {
  RunConfig c;
  c.train.fused_bn_mish = true;
  for (const char* model : {"cnn", "resnet20", "xresnet18", "xresnet50"}) {
    c.train.model = model;
    EXPECT_NO_THROW(check_settings(c)) << model;
  }
  for (const char* model : {"deep", "mlp", "cnn5", "cnn6"}) {
    c.train.model = model;
    EXPECT_THROW(check_settings(c), Error) << model;
  }
}

TEST(Config, ListsRefuseRepeatsUnknownNamesAndEmptiness) {
  const auto refused = [](auto change, const std::string& needle) {
    RunConfig c;
    change(c);
    try {
      check_settings(c);
      ADD_FAILURE() << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << e.what();
    }
  };
  refused(
      [](RunConfig& c) {
        c.experiment.depths = {5, 10, 5};
      },
      "--depths names 5 twice");
  refused(
      [](RunConfig& c) {
        c.experiment.inits = {"orthogonal", "orthogonal"};
      },
      "--inits names orthogonal twice");
  refused(
      [](RunConfig& c) {
        c.experiment.activations = {"mish", "nope"};
      },
      "--activations: unknown 'nope'");
  refused([](RunConfig& c) { c.experiment.noise = {}; }, "--noise is empty");
  refused(
      [](RunConfig& c) {
        c.experiment.noise = {1, NAN};
      },
      "--noise nan: not a finite number");
  refused([](RunConfig& c) { c.train.model = "vgg"; },
          "--model: unknown 'vgg'");
}

}  // namespace
}  // namespace mishlab
