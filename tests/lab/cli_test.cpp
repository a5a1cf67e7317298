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
#include "mishlab/blas.hpp"

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

// Starts mish-lab with stdout and stderr going to the test folder.
pid_t start(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {MISHLAB_EXE};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string out = (test_dir() / "output.txt").string();
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, MISHLAB_EXE, &fa, nullptr, argv.data(), environ),
            0);
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

Result run(const std::vector<std::string>& args) {
  const int code = wait_exit(start(args));
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

void expect_one_line_error(const Result& r, const std::string& needle) {
  EXPECT_NE(r.code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("mish-lab: ", 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
}

TEST_F(Cli, BadInputsGiveOneLineErrors) {
  expect_one_line_error(run({"nonsense"}), "subcommand");
  expect_one_line_error(run({"compare", "--seeds", "0"}), "--seeds");
  expect_one_line_error(run({"compare", "--epochs", "x"}), "--epochs");
  expect_one_line_error(run({"compare", "--device", "tpu"}), "--device");
  expect_one_line_error(run(cat({"compare", "-a", "mish,nope"}, tiny("e1"))),
                        "unknown activation 'nope'");
  expect_one_line_error(run(cat({"compare", "-a", "mish,mish"}, tiny("e1"))),
                        "twice");
  expect_one_line_error(run(cat({"compare", "--baseline", "elu"}, tiny("e1"))),
                        "--baseline");
  expect_one_line_error(run(cat({"compare", "--model", "vgg"}, tiny("e1"))),
                        "unknown model");
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
                        "below 1");
  expect_one_line_error(run(cat({"compare", "--resume"}, tiny("none"))),
                        "does not exist");
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
  // The BLAS that LibTorch calls, by name and library, also in the report.
  const std::string blas = config["machine"]["blas"]["name"];
  EXPECT_FALSE(blas.empty());
  EXPECT_EQ(blas, mishlab::blas_name(config["machine"]["blas"]["library"]));
  EXPECT_NE(slurp(dir / "report.md").find("BLAS " + blas), std::string::npos);
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
}

}  // namespace
}  // namespace mishlab
