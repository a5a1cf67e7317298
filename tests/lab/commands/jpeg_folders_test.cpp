// `mish-lab train` and `ablate` end to end on a generated JPEG folder: the
// report files, --resume skipping finished runs, and the bad-file policy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/error.hpp"
#include "common/files.hpp"
#include "data/jpeg.hpp"
#include "run_cli.hpp"

namespace mishlab {
namespace {
namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string noise_jpeg(std::mt19937& rng, int bright_channel) {
  RgbImage image{20, 20, {}};
  std::uniform_int_distribution<int> noise(0, 40);
  for (int i = 0; i < 20 * 20 * 3; ++i) {
    image.pixels.push_back(static_cast<uint8_t>(
        noise(rng) + (i % 3 == bright_channel ? 180 : 20)));
  }
  return encode_jpeg(image);
}

class TrainCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mish-recipe-train-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    std::mt19937 rng(9);
    for (int c = 0; c < 2; ++c) {
      const std::string cls = c ? "dog" : "cat";
      for (int i = 0; i < 8; ++i) {
        write(root_ / "data/train" / cls / (std::to_string(i) + ".jpg"),
              noise_jpeg(rng, c));
      }
      for (int i = 0; i < 3; ++i) {
        write(root_ / "data/val" / cls / (std::to_string(i) + ".jpg"),
              noise_jpeg(rng, c));
      }
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> args(const std::string& command,
                                const std::string& out) const {
    return {command,
            "--data",
            (root_ / "data").string(),
            "--model",
            "xresnet18",
            "--widen",
            "0.125",
            "--size",
            "16",
            "--epochs",
            "1",
            "--batch-size",
            "4",
            "--seeds",
            "1",
            "--threads",
            "1",
            "--workers",
            "2",
            "--quiet",
            "--out",
            (root_ / out).string()};
  }

  fs::path root_;
};

TEST_F(TrainCommandTest, TrainsOnJpegFoldersWritesReportsAndResumes) {
  auto a = args("train", "train");
  a.insert(a.end(), {"--act", "relu", "--sa"});
  run_cli(a);
  const fs::path out = root_ / "train";
  for (const char* f : {"config.json", "results.csv", "report.md",
                        "summary.json", "runs/relu-s0.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto result =
      nlohmann::json::parse(read_file(out / "runs/relu-s0.json"));
  EXPECT_EQ(result["epochs"].size(), 1u);
  EXPECT_TRUE(result["spec"]["train"]["sa"].get<bool>());
  const auto before = fs::last_write_time(out / "runs/relu-s0.json");
  run_cli({"train", "--resume", "--out", out.string(), "--quiet"});
  EXPECT_EQ(fs::last_write_time(out / "runs/relu-s0.json"), before);
  // With --resume, flags that would change a stored setting are refused.
  for (const auto& [flag, value, needle] :
       {std::tuple{"--widen", "0.25", "--widen 0.25 differs from 0.125"},
        {"--act", "mish", R"(--activations ["mish"] differs from ["relu"])"}}) {
    try {
      run_cli({"train", "--resume", "--out", out.string(), flag, value});
      ADD_FAILURE() << flag << ": expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << e.what();
    }
  }
}

// --train-limit and --test-limit take an even share of every class.
TEST_F(TrainCommandTest, LimitsApplyToImageFolders) {
  auto a = args("train", "limited");
  a.insert(a.end(), {"--train-limit", "8", "--test-limit", "4"});
  run_cli(a);
  const auto config =
      nlohmann::json::parse(read_file(root_ / "limited/config.json"));
  EXPECT_EQ(config["data"]["train_examples"], 8);
  EXPECT_EQ(config["data"]["test_examples"], 4);
  EXPECT_EQ(config["data"]["classes"], 2);
  // Fewer examples than one batch would train nothing: refused up front.
  a = args("train", "tiny");
  a.insert(a.end(), {"--train-limit", "3"});
  EXPECT_THROW(run_cli(a), Error);
  EXPECT_FALSE(fs::exists(root_ / "tiny"));
}

TEST_F(TrainCommandTest, StopsOnACorruptImageUnlessToldToSkipIt) {
  write(root_ / "data/train/cat/broken.jpg", "\xFF\xD8 not really");
  try {
    run_cli(args("train", "strict"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.jpg"), std::string::npos)
        << e.what();
  }
  auto a = args("train", "lenient");
  a.push_back("--skip-bad-images");
  run_cli(a);
  EXPECT_TRUE(fs::exists(root_ / "lenient" / "report.md"));
}

TEST_F(TrainCommandTest, AblateRunsEveryCellAndReportsEachFactor) {
  run_cli(args("ablate", "ablate"));
  const auto summary =
      nlohmann::json::parse(read_file(root_ / "ablate" / "summary.json"));
  EXPECT_EQ(summary["results"]["cells"].size(), 8u);
  EXPECT_EQ(summary["results"]["main_effects"].size(), 3u);
  EXPECT_EQ(summary["results"]["within_recipe"].size(), 4u);
  int runs = 0;
  for (const auto& entry : fs::directory_iterator(root_ / "ablate" / "runs")) {
    runs += entry.path().extension() == ".json";
  }
  EXPECT_EQ(runs, 8);  // 2 activations x 2 recipes x 2 self-attention
}

}  // namespace
}  // namespace mishlab
