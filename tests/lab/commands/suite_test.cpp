// `mish-lab suite` on tiny generated data: every benchmark reported, and a
// suite run in shards and merged by `mish-lab report` equals the unsharded
// one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/files.hpp"
#include "data_files.hpp"
#include "run_cli.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(Suite, ShardsMergedByReportEqualTheUnshardedSuite) {
  const fs::path root =
      fs::temp_directory_path() / ("mishlab-suite-" + std::to_string(getpid()));
  fs::remove_all(root);
  test::write_mnist_folder(root / "mnist", 32, 16, false);
  const auto suite = [&](const std::string& out,
                         std::vector<std::string> more) {
    std::vector<std::string> a = {"suite",
                                  "--data",
                                  (root / "mnist").string(),
                                  "--out",
                                  (root / out).string(),
                                  "--seeds",
                                  "2",
                                  "-a",
                                  "mish,relu",
                                  "--epochs",
                                  "1",
                                  "--train-limit",
                                  "32",
                                  "--test-limit",
                                  "16",
                                  "--batch-size",
                                  "16",
                                  "--threads",
                                  "1",
                                  "--cache",
                                  (root / "cache").string(),
                                  "--quiet"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  run_cli(suite("whole", {}));
  run_cli(suite("sharded", {"--shard", "0/2"}));
  EXPECT_FALSE(fs::exists(root / "sharded/summary.json"));  // shards only train
  run_cli(suite("sharded", {"--shard", "1/2"}));
  run_cli({"report", (root / "sharded").string()});

  const json whole = json::parse(read_file(root / "whole/summary.json"));
  const json merged = json::parse(read_file(root / "sharded/summary.json"));
  EXPECT_EQ(whole["results"], merged["results"]);
  // Seven benchmarks of four tasks, each counted once for mish.
  const json& benchmarks = whole["results"]["benchmarks"];
  ASSERT_EQ(benchmarks.size(), 7u);
  EXPECT_EQ(benchmarks[4]["benchmark"], "unet");
  EXPECT_EQ(benchmarks[4]["metric"], "miou");
  EXPECT_EQ(benchmarks[5]["metric"], "mse");
  EXPECT_FALSE(benchmarks[5]["higher_is_better"].get<bool>());
  EXPECT_EQ(benchmarks[6]["metric"], "fid");
  EXPECT_FALSE(benchmarks[6]["higher_is_better"].get<bool>());
  for (const json& b : benchmarks) {
    EXPECT_EQ(b["runs"], 2) << b.dump();
    EXPECT_EQ(b["baseline_runs"], 2) << b.dump();
  }
  const json& mish = whole["results"]["overall"][0];
  EXPECT_EQ(mish["activation"], "mish");
  EXPECT_EQ(mish["wins"].get<int>() + mish["ties"].get<int>() +
                mish["losses"].get<int>(),
            7);
  EXPECT_EQ(mish["significant_wins"].get<int>() +
                mish["not_significant"].get<int>() +
                mish["significant_losses"].get<int>(),
            7);
  const json config = json::parse(read_file(root / "whole/config.json"));
  EXPECT_EQ(config["data_sets"].size(), 4u);  // one per task
  EXPECT_NE(read_file(root / "whole/report.md").find("significant wins"),
            std::string::npos);
  // Every task's metric has its column in results.csv.
  const std::string csv = read_file(root / "whole/results.csv");
  for (const char* column :
       {"test_accuracy", "test_miou", "test_mse", "test_fid"}) {
    EXPECT_NE(csv.find(column), std::string::npos) << column;
  }
  fs::remove_all(root);
}

TEST(Suite, PaperSuiteTakesAllTheDataUnlessLimitsAreGiven) {
  const fs::path root = fs::temp_directory_path() /
                        ("mishlab-suite-paper-" + std::to_string(getpid()));
  fs::remove_all(root);
  test::write_mnist_folder(root / "mnist", 32, 16, false);
  // A shard that owns no run: it opens the data and writes config.json.
  const auto limits = [&](const std::string& suite,
                          std::vector<std::string> more) {
    std::vector<std::string> a = {
        "suite",
        "--suite",
        suite,
        "--data",
        (root / "mnist").string(),
        "--out",
        (root / (suite + std::to_string(more.size()))).string(),
        "--shard",
        "999/1000",
        "--cache",
        (root / "cache").string(),
        "--batch-size",
        "8",
        "--quiet"};
    a.insert(a.end(), more.begin(), more.end());
    run_cli(a);
    const json s =
        json::parse(read_file(root / (suite + std::to_string(more.size())) /
                              "config.json"))["settings"];
    return std::pair{s["train_limit"].get<int64_t>(),
                     s["test_limit"].get<int64_t>()};
  };
  EXPECT_EQ(limits("paper", {}), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(limits("quick", {}), (std::pair<int64_t, int64_t>{2000, 1000}));
  EXPECT_EQ(limits("paper", {"--train-limit", "20"}),
            (std::pair<int64_t, int64_t>{20, 0}));
  fs::remove_all(root);
}

}  // namespace
}  // namespace mishlab
