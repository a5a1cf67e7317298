// config.json read back: what the runner wrote, or one line naming the file.
#include "run/config_json.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/error.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

class ConfigJson : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / "mishlab_config_json_test" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void write(const std::string& text) const {
    std::ofstream(dir_ / "config.json") << text;
  }
  // The error read_config_json throws, or "" when it reads the file.
  std::string error() const {
    try {
      read_config_json(dir_);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(ConfigJson, ReadsTheExperimentItsSettingsAndTheRest) {
  write(R"({"experiment": "depth", "settings": {"seeds": 2}, "runs": 4})");
  const StoredConfig c = read_config_json(dir_);
  EXPECT_EQ(c.file, dir_ / "config.json");
  EXPECT_EQ(c.experiment, "depth");
  EXPECT_EQ(c.settings, nlohmann::json({{"seeds", 2}}));
  EXPECT_EQ(c.all.at("runs"), 4);
}

TEST_F(ConfigJson, EveryProblemIsOneLineNamingTheFile) {
  const std::string file = (dir_ / "config.json").string();
  EXPECT_EQ(error(), file + " does not exist: " + dir_.string() +
                         " holds no experiment");
  const std::vector<std::string> not_json = {"", "{", "{\n\"a\": 1,\n"};
  for (const std::string& text : not_json) {
    write(text);
    EXPECT_EQ(error().rfind(file + ": not JSON (", 0), 0u) << error();
    EXPECT_EQ(error().find('\n'), std::string::npos) << error();
  }
  const std::vector<std::string> incomplete = {
      "[]",
      R"({"settings": {}})",
      R"({"experiment": 3, "settings": {}})",
      R"({"experiment": "compare"})",
      R"({"experiment": "compare", "settings": []})",
  };
  for (const std::string& text : incomplete) {
    write(text);
    EXPECT_EQ(error(), file + ": no experiment name and settings") << text;
  }
}

}  // namespace
}  // namespace mishlab
