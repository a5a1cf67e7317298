// mish-lab as a user runs it: bad inputs, every experiment end to end on tiny
// generated data, and kill -9 followed by --resume.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "data_files.hpp"

extern char** environ;

namespace mishlab {
namespace {

namespace fs = std::filesystem;

// ctest runs each test in its own process, in parallel: one folder each.
fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return fs::temp_directory_path() / "mishlab_cli_test" / info->name();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Starts mish-lab in `cwd` (the test folder by default) with stdout and
// stderr going to the test folder; `path_first` goes in front of PATH.
pid_t start(const std::vector<std::string>& args, fs::path cwd = {},
            const std::string& path_first = "") {
  std::vector<std::string> argv_s = {MISHLAB_EXE};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (!path_first.empty() && var.rfind("PATH=", 0) == 0) {
      var = "PATH=" + path_first + ":" + var.substr(5);
    }
    env_s.push_back(var);
  }
  std::vector<char*> env;
  for (auto& v : env_s) env.push_back(v.data());
  env.push_back(nullptr);
  if (cwd.empty()) cwd = test_dir();
  fs::create_directories(cwd);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string out = (test_dir() / "output.txt").string();
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  pid_t pid = 0;
  EXPECT_EQ(
      posix_spawn(&pid, MISHLAB_EXE, &fa, nullptr, argv.data(), env.data()), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Result {
  int code;
  std::string output;
};

Result run(const std::vector<std::string>& args, const fs::path& cwd = {},
           const std::string& path_first = "") {
  const int code = wait_exit(start(args, cwd, path_first));
  return {code, slurp(test_dir() / "output.txt")};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = test_dir();
    fs::remove_all(tmp_);
    test::write_mnist_folder(tmp_ / "data", 240, 60, true);
  }
  fs::path tmp_;
  std::vector<std::string> tiny(const std::string& out) {
    return {"--data",    (tmp_ / "data").string(),
            "--out",     (tmp_ / out).string(),
            "--threads", "1",
            "--quiet"};
  }
  static std::vector<std::string> cat(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
};

// A user's mistake: status 1 (CLI11's own codes for flags it cannot parse),
// never 2 (an internal error) or a crash.
void expect_one_line_error(const Result& r, const std::string& needle) {
  EXPECT_TRUE(r.code == 1 || (r.code > 2 && r.code < 128)) << r.output;
  EXPECT_EQ(r.output.rfind("mish-lab: ", 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
}

TEST_F(Cli, BadInputsGiveOneLineErrors) {
  expect_one_line_error(run({"nonsense"}), "unknown command 'nonsense'");
  expect_one_line_error(run({"compare", "--seeds", "0"}), "--seeds");
  expect_one_line_error(run({"compare", "--epochs", "x"}), "--epochs");
  expect_one_line_error(run({"compare", "--device", "tpu"}), "--device");
  expect_one_line_error(run(cat({"compare", "-a", "mish,nope"}, tiny("e1"))),
                        "--activations: unknown 'nope'");
  expect_one_line_error(run(cat({"compare", "-a", "mish,mish"}, tiny("e1"))),
                        "--activations names mish twice");
  expect_one_line_error(run(cat({"compare", "--baseline", "elu"}, tiny("e1"))),
                        "--baseline");
  expect_one_line_error(run(cat({"compare", "--model", "vgg"}, tiny("e1"))),
                        "--model: unknown 'vgg'");
  expect_one_line_error(
      run({"compare", "--data", (tmp_ / "missing").string(), "--quiet"}),
      "does not exist");
  test::write(tmp_ / "corrupt/train-images-idx3-ubyte", "garbage!");
  test::write(tmp_ / "corrupt/train-labels-idx1-ubyte", "garbage!");
  test::write(tmp_ / "corrupt/t10k-images-idx3-ubyte", "garbage!");
  test::write(tmp_ / "corrupt/t10k-labels-idx1-ubyte", "garbage!");
  expect_one_line_error(
      run({"compare", "--data", (tmp_ / "corrupt").string(), "--quiet"}),
      "bad magic");
  expect_one_line_error(run(cat({"depth", "--depths", "0"}, tiny("e2"))),
                        "--depths 0: outside [1, 1000]");
  expect_one_line_error(run(cat({"compare", "--resume"}, tiny("none"))),
                        "does not exist");
  EXPECT_FALSE(fs::exists(tmp_ / "e1"));
  EXPECT_FALSE(fs::exists(tmp_ / "e2"));
}

TEST_F(Cli, VersionPrintsTheVersion) {
  const Result r = run({"--version"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("mish-lab ", 0), 0u) << r.output;
}

// `compare --lr nan` used to create the folder with "lr": null in
// config.json and then fail; every numeric flag is checked first.
TEST_F(Cli, NonFiniteAndOutOfRangeFlagsCreateNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {"compare", "--lr", "nan"},
      {"compare", "--lr", "inf"},
      {"compare", "--momentum=-0.5"},
      {"compare", "--weight-decay", "nan"},
      {"compare", "--train-limit=-3"},
      {"noise", "--noise", "0,nan"},
      {"depth", "--depths", "5,5"},
      {"init", "--inits", "orthogonal,orthogonal"},
      {"train", "--label-smoothing", "nan"},
      {"ablate", "--widen", "inf"},
  };
  for (const auto& args : bad) {
    const Result r = run(cat(args, tiny("bad")), tmp_ / "cwd");
    expect_one_line_error(r, args[1].substr(0, args[1].find('=')));
    EXPECT_FALSE(fs::exists(tmp_ / "bad")) << args[1];
    EXPECT_FALSE(fs::exists(tmp_ / "cwd/runs")) << args[1];
  }
  // Without --out nothing appears under runs/ either, so a later --resume
  // cannot pick a broken folder.
  expect_one_line_error(
      run({"train", "--data", (tmp_ / "missing").string(), "--quiet"},
          tmp_ / "cwd"),
      "does not exist");
  EXPECT_FALSE(fs::exists(tmp_ / "cwd/runs"));
}

TEST_F(Cli, BadDataAndFoldersAreErrorsBeforeAnythingIsWritten) {
  // A label of 200 in the training labels.
  test::write_mnist_folder(tmp_ / "labels", 40, 10, false);
  std::vector<uint8_t> labels(40, 1);
  labels[7] = 200;
  test::write(tmp_ / "labels/train-labels-idx1-ubyte",
              test::idx_bytes({40}, labels));
  expect_one_line_error(run({"compare", "--data", (tmp_ / "labels").string(),
                             "--out", (tmp_ / "x").string(), "--quiet"}),
                        "train-labels-idx1-ubyte: record 7 has label 200");
  // A training set smaller than one batch would train nothing.
  expect_one_line_error(run(cat({"compare", "--train-limit", "1"}, tiny("x"))),
                        "makes no batch of --batch-size");
  EXPECT_FALSE(fs::exists(tmp_ / "x"));
  // --out names a file, or a folder that cannot be made.
  test::write(tmp_ / "file", "x");
  const Result r = run(cat({"compare"}, tiny("file")));
  expect_one_line_error(r, "--out " + (tmp_ / "file").string() + " is a file");
  expect_one_line_error(run({"compare", "--data", (tmp_ / "data").string(),
                             "--out", (tmp_ / "file/sub").string(), "-q"}),
                        "cannot create folder " + (tmp_ / "file/sub").string());
  // --resume or report on a corrupt config.json, or on another experiment's
  // folder.
  const fs::path corrupt = tmp_ / "corrupt-config";
  test::write(corrupt / "config.json", "{");
  expect_one_line_error(run({"compare", "--resume", "--out", corrupt.string()}),
                        (corrupt / "config.json").string() + ": not JSON");
  expect_one_line_error(run({"report", corrupt.string()}),
                        (corrupt / "config.json").string() + ": not JSON");
  expect_one_line_error(run({"report", tmp_.string()}),
                        (tmp_ / "config.json").string() + " does not exist");
  test::write(tmp_ / "other/config.json",
              R"({"experiment": "depth", "settings": {}})");
  expect_one_line_error(
      run({"compare", "--resume", "--out", (tmp_ / "other").string()}),
      "holds a 'depth' experiment");
  expect_one_line_error(run({"plot-activations", "--from", "nan"}), "--from");
}

// The disk fills up while a checkpoint is saved: one line naming the file,
// exit 1, no temporary file left, and --resume finishes the experiment.
TEST_F(Cli, ADiskFullCheckpointIsAnErrorAndTheExperimentResumes) {
  const fs::path dir = tmp_ / "full";
  fs::create_directories(dir / "runs");
  fs::create_symlink("/dev/full", dir / "runs/mish-s0.ckpt.tmp");
  const auto args = cat({"compare", "--model", "mlp", "--epochs", "1",
                         "--seeds", "1", "-a", "mish,relu"},
                        tiny("full"));
  const Result full = run(args);
  EXPECT_EQ(full.code, 1);
  expect_one_line_error(full, "cannot write " +
                                  (dir / "runs/mish-s0.ckpt").string() +
                                  ": No space left on device");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "runs/mish-s0.ckpt.tmp")));
  const Result r = run({"compare", "--resume", "--out", dir.string(), "-q"});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "report.md"));
}

// gnuplot that exits 0 without drawing: the report says nothing was drawn.
TEST_F(Cli, APlotGnuplotCouldNotDrawIsNotShown) {
  const fs::path bin = tmp_ / "bin";
  test::write(bin / "gnuplot", "#!/bin/sh\nexit 0\n");
  fs::permissions(bin / "gnuplot", fs::perms::owner_all);
  const Result r = run(cat({"compare", "--model", "mlp", "--epochs", "1",
                            "--seeds", "1", "-a", "mish,relu"},
                           tiny("plot")),
                       {}, bin.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: gnuplot could not draw"), std::string::npos)
      << r.output;
  EXPECT_EQ(slurp(tmp_ / "plot/report.md").find("!["), std::string::npos);
}

TEST_F(Cli, CompareWritesTheReport) {
  const Result r = run(cat({"compare", "--model", "mlp", "--epochs", "2",
                            "--lr", "0.01", "--seeds", "2"},
                           tiny("compare")));
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path dir = tmp_ / "compare";
  for (const char* f :
       {"config.json", "results.csv", "summary.json", "report.md"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  const std::string csv = slurp(dir / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;
  const auto summary = nlohmann::json::parse(slurp(dir / "summary.json"));
  EXPECT_EQ(summary["results"]["baseline"], "relu");
  for (const auto& a : summary["results"]["activations"]) {
    EXPECT_EQ(a["runs"], 2);
    EXPECT_GT(a["mean_acc"].get<double>(), 0.5) << a.dump();
  }
  const auto config = nlohmann::json::parse(slurp(dir / "config.json"));
  EXPECT_EQ(config["settings"]["seeds"], 2);
  EXPECT_EQ(config["data"]["train_examples"], 240);
  EXPECT_FALSE(config["machine"]["blas"]["name"].get<std::string>().empty());
  EXPECT_NE(slurp(dir / "report.md").find("BLAS "), std::string::npos);
  EXPECT_NE(slurp(dir / "report.md").find("p (Welch)"), std::string::npos);
  // The same folder again without --resume is refused.
  expect_one_line_error(
      run(cat({"compare", "--model", "mlp"}, tiny("compare"))), "--resume");
}

TEST_F(Cli, DepthNoiseAndInitRun) {
  ASSERT_EQ(
      run(cat({"depth", "--depths", "1,3", "--epochs", "1", "-a", "mish,relu"},
              tiny("depth")))
          .code,
      0);
  EXPECT_NE(slurp(tmp_ / "depth/report.md").find("| 3 |"), std::string::npos);
  ASSERT_EQ(run(cat({"noise", "--noise", "0,2", "--epochs", "1", "-a", "mish"},
                    tiny("noise")))
                .code,
            0);
  EXPECT_NE(slurp(tmp_ / "noise/results.csv").find("acc_noise_2"),
            std::string::npos);
  ASSERT_EQ(run(cat({"init", "--inits", "he_normal,orthogonal", "-a", "swish"},
                    tiny("init")))
                .code,
            0);
  EXPECT_NE(slurp(tmp_ / "init/report.md").find("orthogonal"),
            std::string::npos);
}

TEST_F(Cli, KillNineThenResumeLosesAtMostAnEpoch) {
  const fs::path dir = tmp_ / "resume";
  const auto args =
      cat({"compare", "--model", "cnn", "--epochs", "40", "--seeds", "1", "-a",
           "mish,relu", "--baseline", "relu"},
          tiny("resume"));
  const pid_t pid = start(args);
  const fs::path ckpt = dir / "runs/mish-s0.ckpt";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(ckpt) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(fs::exists(ckpt));
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
  EXPECT_FALSE(fs::exists(dir / "runs/mish-s0.json"));

  // --resume reads the settings back from config.json.
  const Result r =
      run({"compare", "--resume", "--out", dir.string(), "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("resumed at epoch"), std::string::npos) << r.output;
  const auto result = nlohmann::json::parse(slurp(dir / "runs/mish-s0.json"));
  EXPECT_GE(result["resumed_at"].get<int>(), 1);
  EXPECT_EQ(result["epochs"].size(), 40u);
  EXPECT_FALSE(fs::exists(ckpt));

  // Resuming a finished experiment trains nothing and keeps the results.
  const std::string csv = slurp(dir / "results.csv");
  ASSERT_EQ(run({"compare", "--resume", "--out", dir.string(), "--quiet"}).code,
            0);
  EXPECT_EQ(slurp(dir / "results.csv"), csv);

  // config.json and the report keep the first command; resumptions follow.
  const auto config = nlohmann::json::parse(slurp(dir / "config.json"));
  EXPECT_NE(config["command"].get<std::string>().find("--epochs 40"),
            std::string::npos);
  ASSERT_EQ(config["resumed"].size(), 2u);
  EXPECT_NE(config["resumed"][1]["command"].get<std::string>().find("--quiet"),
            std::string::npos);
  EXPECT_NE(slurp(dir / "report.md").find("Resumed 2 time(s)"),
            std::string::npos);
}

TEST_F(Cli, ResumeRefusesFlagsThatChangeTheSettings) {
  ASSERT_EQ(run(cat({"compare", "--model", "mlp", "--epochs", "1", "--seeds",
                     "1", "-a", "mish,relu", "--lr", "0.01"},
                    tiny("resume")))
                .code,
            0);
  const std::vector<std::string> resume = {
      "compare", "--resume", "--out", (tmp_ / "resume").string(), "--quiet"};
  // Flags equal to the stored settings, and the machine's, are fine.
  const Result same = run(cat(resume, {"--lr", "0.01", "-a", "mish,relu",
                                       "--threads", "1", "--device", "cpu"}));
  EXPECT_EQ(same.code, 0) << same.output;
  expect_one_line_error(run(cat(resume, {"--lr", "0.02"})),
                        "--lr 0.02 differs from 0.01 stored in");
  expect_one_line_error(
      run(cat(resume, {"-a", "mish"})),
      R"(--activations ["mish"] differs from ["mish","relu"])");
}

// depth --width 16, interrupted, resumed: the remaining runs train at 16,
// and --resume --width 32 is refused.
TEST_F(Cli, DepthResumesAtTheStoredWidth) {
  const fs::path dir = tmp_ / "depth";
  ASSERT_EQ(run(cat({"depth", "--depths", "1,2", "--width", "16", "--epochs",
                     "1", "-a", "relu"},
                    tiny("depth")))
                .code,
            0);
  fs::remove(dir / "runs/depth=2-relu-s0.json");  // as if interrupted
  expect_one_line_error(
      run({"depth", "--resume", "--out", dir.string(), "--width", "32"}),
      "--width 32 differs from 16 stored in");
  const Result r = run({"depth", "--resume", "--out", dir.string(), "-q"});
  ASSERT_EQ(r.code, 0) << r.output;
  const auto result =
      nlohmann::json::parse(slurp(dir / "runs/depth=2-relu-s0.json"));
  EXPECT_EQ(result["spec"]["train"]["width"], 16);
  EXPECT_NE(slurp(dir / "report.md").find("blocks of 16 units"),
            std::string::npos);
}

// --resume without --out takes the newest folder that holds an experiment,
// not a newer one a failed call might have left.
TEST_F(Cli, ResumeFindsTheNewestExperiment) {
  const fs::path cwd = tmp_ / "cwd";
  ASSERT_EQ(
      run({"compare", "--data", (tmp_ / "data").string(), "--out",
           "runs/compare-20000101-000000", "--model", "mlp", "--epochs", "1",
           "--seeds", "1", "-a", "mish,relu", "-q", "--threads", "1"},
          cwd)
          .code,
      0);
  fs::create_directories(cwd / "runs/compare-29991231-235959");
  const Result r = run({"compare", "--resume", "-q"}, cwd);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("compare-20000101-000000"), std::string::npos)
      << r.output;
}

TEST_F(Cli, ListsAndPlotsActivations) {
  const Result r = run({"activations"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("mish"), std::string::npos);
  EXPECT_NE(r.output.find("aria2"), std::string::npos);
  ASSERT_EQ(run({"plot-activations", "-a", "mish,relu", "--out",
                 (tmp_ / "curves").string()})
                .code,
            0);
  EXPECT_TRUE(fs::exists(tmp_ / "curves/activations.gp"));
  EXPECT_TRUE(fs::exists(tmp_ / "curves/activations.svg"));
}

// A range that cannot be sampled is refused before anything is written; one
// that gnuplot cannot draw is a failure, not a success without a picture.
TEST_F(Cli, PlotActivationsFailsWithoutAPicture) {
  expect_one_line_error(run({"plot-activations", "--from", "-1e308", "--to",
                             "1e308", "--out", (tmp_ / "wide").string()}),
                        "the range is wider than a double holds");
  EXPECT_FALSE(fs::exists(tmp_ / "wide"));
  const Result r = run({"plot-activations", "--from", "-1e307", "--to", "1e307",
                        "--out", (tmp_ / "huge").string()});
  EXPECT_NE(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("gnuplot did not draw the plots"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(tmp_ / "huge/activations.svg"));
}

}  // namespace
}  // namespace mishlab
