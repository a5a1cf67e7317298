// `mish-lab segment` and `generate` end to end on tiny generated data, and
// the bad segmentation folders refused before anything is written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/files.hpp"
#include "data/png.hpp"
#include "data_files.hpp"
#include "png_files.hpp"
#include "run_cli.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Tasks : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mishlab-tasks-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    test::write_mnist_folder(root_ / "mnist", 64, 32, false);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> tiny(const std::string& command,
                                const fs::path& data, const std::string& out,
                                std::vector<std::string> more = {}) {
    std::vector<std::string> a = {command,
                                  "--data",
                                  data.string(),
                                  "--out",
                                  (root_ / out).string(),
                                  "--seeds",
                                  "2",
                                  "-a",
                                  "mish,relu",
                                  "--epochs",
                                  "1",
                                  "--threads",
                                  "1",
                                  "--quiet"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }

  // A folder of 6x6 grey PNG images and masks (classes 0-2, one ignored
  // pixel each) for train and val.
  void write_segmentation_folder(const fs::path& dir) {
    for (const char* split : {"train", "val"}) {
      for (int i = 0; i < 8; ++i) {
        std::vector<uint8_t> mask(36), image(36);
        for (int k = 0; k < 36; ++k) {
          mask[k] = static_cast<uint8_t>((k / 6 + i) % 3);
          image[k] = static_cast<uint8_t>(mask[k] * 100);
        }
        mask[7] = 255;
        const std::string name = "img" + std::to_string(i) + ".png";
        test::write(dir / split / "images" / name, test::grey_png(6, 6, image));
        test::write(dir / split / "masks" / name, test::grey_png(6, 6, mask));
      }
    }
  }

  // The error is one line naming `needle`, and --out was not created.
  void expect_refused(const std::vector<std::string>& args,
                      const std::string& needle) {
    try {
      run_cli(args);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(needle), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
    EXPECT_FALSE(fs::exists(root_ / "bad"));
  }

  fs::path root_;
};

TEST_F(Tasks, SegmentOnScenesReportsMeanIouAgainstTheBaseline) {
  run_cli(tiny("segment", root_ / "mnist", "seg",
               {"--width", "4", "--batch-size", "16"}));
  const fs::path dir = root_ / "seg";
  const json config = json::parse(read_file(dir / "config.json"));
  EXPECT_EQ(config["data"]["format"], "fashion-scenes");
  EXPECT_EQ(config["data"]["classes"], 11);
  EXPECT_EQ(config["data"]["image"], json({1, 64, 64}));
  const json summary = json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["results"]["task"], "segmentation");
  int rows = 0;
  for (const json& m : summary["results"]["metrics"]) {
    ++rows;
    EXPECT_EQ(m["runs"], 2) << m.dump();
    EXPECT_GT(m["mean"].get<double>(), 0) << m.dump();
    EXPECT_LE(m["mean"].get<double>(), 1) << m.dump();
    EXPECT_TRUE(m["higher_is_better"].get<bool>());
  }
  EXPECT_EQ(rows, 4);  // miou and pixel accuracy x mish and relu
  const std::string report = read_file(dir / "report.md");
  EXPECT_NE(report.find("### mean IoU (%) (higher is better)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("mish vs relu"), std::string::npos) << report;
  EXPECT_NE(report.find("p (Holm)"), std::string::npos) << report;
  EXPECT_NE(read_file(dir / "results.csv").find("test_miou"),
            std::string::npos);
}

TEST_F(Tasks, SegmentRunsAreReproducible) {
  // Same scenes, same seed, one thread: the same metrics.
  run_cli(tiny("segment", root_ / "mnist", "a",
               {"--width", "2", "--batch-size", "32"}));
  run_cli(tiny("segment", root_ / "mnist", "b",
               {"--width", "2", "--batch-size", "32"}));
  const json a = json::parse(read_file(root_ / "a/runs/mish-s0.json"));
  const json b = json::parse(read_file(root_ / "b/runs/mish-s0.json"));
  EXPECT_EQ(a["epochs"][0]["test_metrics"], b["epochs"][0]["test_metrics"]);
}

TEST_F(Tasks, SegmentOnAFolderOfPngMasks) {
  write_segmentation_folder(root_ / "folder");
  run_cli(tiny("segment", root_ / "folder", "seg",
               {"--width", "2", "--batch-size", "4", "--size", "8"}));
  const json config = json::parse(read_file(root_ / "seg/config.json"));
  EXPECT_EQ(config["data"]["format"], "segmentation-folders");
  EXPECT_EQ(config["data"]["classes"], 3);
  EXPECT_EQ(config["data"]["image"], json({3, 8, 8}));
  EXPECT_TRUE(fs::exists(root_ / "seg/report.md"));
}

TEST_F(Tasks, BadSegmentationFoldersAreOneLineErrorsLeavingNothing) {
  const fs::path d = root_ / "folder";
  const auto args = [&](std::vector<std::string> more = {}) {
    return tiny("segment", d, "bad", std::move(more));
  };
  write_segmentation_folder(d);
  const fs::path mask = d / "val/masks/img3.png";
  expect_refused(args({"--classes", "2"}),
                 (d / "train/masks/img0.png").string() +
                     ": class index 2 is not below the number of classes (2)");
  fs::remove(mask);
  expect_refused(args(), mask.string() + ": missing");
  test::write(mask, test::grey_png(5, 6, std::vector<uint8_t>(30, 1)));
  expect_refused(args(), mask.string() + ": mask is 5 x 6 px, its image 6 x 6");
  const std::string good = test::grey_png(6, 6, std::vector<uint8_t>(36, 1));
  test::write(mask, good.substr(0, good.size() - 16));
  expect_refused(args(), mask.string() + ": not a readable PNG");
  std::string corrupt = good;
  corrupt[corrupt.size() - 20] ^= 0x10;
  test::write(mask, corrupt);
  expect_refused(args(), mask.string() + ": not a readable PNG");
  test::write(mask, test::png_bytes(6, 6, SPNG_COLOR_TYPE_GRAYSCALE, 16,
                                    std::vector<uint8_t>(72, 0)));
  expect_refused(args(), mask.string() + ": a mask must be an 8-bit");
}

TEST_F(Tasks, GenerateReportsTheAutoencodersMse) {
  run_cli(tiny("generate", root_ / "mnist", "ae", {"--width", "4"}));
  const json summary = json::parse(read_file(root_ / "ae/summary.json"));
  EXPECT_EQ(summary["results"]["task"], "reconstruction");
  for (const json& m : summary["results"]["metrics"]) {
    EXPECT_EQ(m["metric"], "mse");
    EXPECT_FALSE(m["higher_is_better"].get<bool>());
    EXPECT_GT(m["mean"].get<double>(), 0) << m.dump();
    EXPECT_LT(m["mean"].get<double>(), 0.25) << m.dump();
  }
  EXPECT_NE(read_file(root_ / "ae/report.md").find("(lower is better)"),
            std::string::npos);
}

TEST_F(Tasks, DcganAtTinyLimitsWritesItsDistanceAndSamples) {
  // The tiny limits, on 200 + 100 generated images.
  test::write_mnist_folder(root_ / "mnist200", 200, 100, false);
  const fs::path cache = root_ / "cache";
  std::vector<std::string> a = {"generate",
                                "--model",
                                "dcgan",
                                "--data",
                                (root_ / "mnist200").string(),
                                "--out",
                                (root_ / "gan").string(),
                                "--cache",
                                cache.string(),
                                "--seeds",
                                "1",
                                "--epochs",
                                "1",
                                "--train-limit",
                                "200",
                                "--test-limit",
                                "100",
                                "-a",
                                "mish,relu",
                                "--width",
                                "4",
                                "--batch-size",
                                "50",
                                "--threads",
                                "1",
                                "--quiet"};
  run_cli(a);
  const fs::path dir = root_ / "gan";
  const json summary = json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["results"]["task"], "adversarial");
  for (const json& m : summary["results"]["metrics"]) {
    EXPECT_EQ(m["metric"], "fid");
    EXPECT_FALSE(m["higher_is_better"].get<bool>());
    EXPECT_EQ(m["runs"], 1) << m.dump();
    EXPECT_GT(m["mean"].get<double>(), 0) << m.dump();
  }
  EXPECT_NE(read_file(dir / "results.csv").find("test_fid"), std::string::npos);
  // One classifier in the cache, for the whole data set.
  int classifiers = 0;
  for (const auto& e : fs::directory_iterator(cache)) {
    EXPECT_EQ(e.path().extension(), ".pt") << e.path();
    ++classifiers;
  }
  EXPECT_EQ(classifiers, 1);
  // Each run's grid: 8 x 8 images with 2 px gaps, in the report.
  const int side =
      json::parse(read_file(dir / "config.json"))["data"]["image"][1];
  const std::string report = read_file(dir / "report.md");
  for (const char* act : {"mish", "relu"}) {
    const std::string file = std::string("runs/") + act + "-s0.samples.png";
    const RgbImage grid = decode_png(read_file(dir / file), file);
    EXPECT_EQ(grid.width, 8 * (side + 2) + 2);
    EXPECT_EQ(grid.height, 8 * (side + 2) + 2);
    EXPECT_NE(report.find("](" + file + ")"), std::string::npos) << report;
  }
  EXPECT_NE(report.find("Fréchet distance (FID's formula) (lower is better)"),
            std::string::npos)
      << report;
}

TEST_F(Tasks, AModelOfAnotherTaskIsRefused) {
  expect_refused(tiny("generate", root_ / "mnist", "bad", {"--model", "cnn"}),
                 "--model cnn is a classification model; `mish-lab generate` "
                 "trains generation models");
  expect_refused(tiny("compare", root_ / "mnist", "bad", {"--model", "unet"}),
                 "--model unet is a segmentation model");
}

}  // namespace
}  // namespace mishlab
