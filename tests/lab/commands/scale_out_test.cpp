// mish-lab scaled out as a cluster runs it, on the loopback with tiny data:
// data-parallel training under torchrun against one process, a killed rank,
// and a sweep split into shards (one chosen by --shard, one by Slurm's array
// variables) merged by `mish-lab report`.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "data_files.hpp"
#include "processes.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

class ScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / "mishlab_scale_out_test" / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    test::write_mnist_folder(dir_ / "data", 96, 40, false);
  }

  // The flags of a small experiment on the test data, into dir/out.
  std::vector<std::string> flags(const std::string& out,
                                 std::vector<std::string> more) const {
    std::vector<std::string> f = {"--data",        (dir_ / "data").string(),
                                  "--train-limit", "0",
                                  "--test-limit",  "0",
                                  "--threads",     "1",
                                  "--batch-size",  "32",
                                  "--out",         (dir_ / out).string()};
    f.insert(f.end(), more.begin(), more.end());
    return f;
  }

  // mish-lab with args, alone; its exit status and output.
  std::pair<int, std::string> lab(const std::vector<std::string>& args,
                                  const std::string& log,
                                  std::map<std::string, std::string> env = {}) {
    const pid_t pid = test::spawn(MISHLAB_EXE, args, env, dir_ / log);
    const int code = test::wait_exit(pid, seconds(120));
    return {code, test::slurp(dir_ / log)};
  }

  json run_record(const std::string& out, const std::string& id) const {
    return json::parse(test::slurp(dir_ / out / "runs" / (id + ".json")));
  }

  fs::path dir_;
};

std::vector<std::string> with(std::vector<std::string> a,
                              const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Two processes under Debian's torchrun train each run on halves of every
// global batch: on a network without batch norm or dropout the metrics equal
// one process's up to floating-point order; with the default CNN (batch
// norm per rank, dropout) they agree within noise.
TEST_F(ScaleOut, TorchrunTrainsLikeOneProcess) {
  if (!fs::exists(MISHLAB_TORCHRUN)) GTEST_SKIP() << "no torchrun";
  const std::vector<std::string> mlp = {
      "--activations", "mish", "--baseline", "mish", "--seeds",     "1",
      "--epochs",      "2",    "--model",    "mlp",  "--optimizer", "sgd",
      "--lr",          "0.05", "--quiet"};
  const std::vector<std::string> cnn = {
      "--activations", "mish", "--baseline", "mish", "--seeds", "1",
      "--epochs",      "2",    "--quiet"};
  for (const auto& [name, settings] : {std::pair{std::string("mlp"), mlp},
                                       std::pair{std::string("cnn"), cnn}}) {
    const auto one =
        lab(with({"compare"}, flags(name + "1", settings)), name + "1.txt");
    ASSERT_EQ(one.first, 0) << one.second;
    const pid_t pid = test::spawn(
        MISHLAB_TORCHRUN,
        with({"--nproc_per_node=2", "--no_python", "--max_restarts=0",
              "--master_port=" + std::to_string(test::free_port()),
              "--redirects=1", "--tee=1",
              "--log_dir=" + (dir_ / (name + "logs")).string(), MISHLAB_EXE,
              "compare"},
             flags(name + "2", settings)),
        {}, dir_ / (name + "2.txt"));
    ASSERT_EQ(test::wait_exit(pid, seconds(120)), 0)
        << test::slurp(dir_ / (name + "2.txt"));

    const json config =
        json::parse(test::slurp(dir_ / (name + "2") / "config.json"));
    EXPECT_EQ(config["machine"]["world_size"], 2);
    EXPECT_EQ(config["machine"]["backend"], "gloo");
    // Rank 0 alone wrote: the run's record, no checkpoint or temporary left.
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir_ / (name + "2") / "runs")) {
      files.push_back(e.path().filename().string());
    }
    EXPECT_EQ(files, std::vector<std::string>{"mish-s0.json"});

    const json a = run_record(name + "1", "mish-s0")["epochs"];
    const json b = run_record(name + "2", "mish-s0")["epochs"];
    ASSERT_EQ(a.size(), 2u);
    ASSERT_EQ(b.size(), 2u);
    const double tol = name == "mlp" ? 1e-4 : 0.35;
    for (size_t e = 0; e < 2; ++e) {
      for (const char* metric : {"train_loss", "test_loss"}) {
        EXPECT_NEAR(a[e][metric].get<double>(), b[e][metric].get<double>(), tol)
            << name << " epoch " << e + 1 << " " << metric;
      }
      EXPECT_NEAR(a[e]["test_acc"].get<double>(),
                  b[e]["test_acc"].get<double>(),
                  name == "mlp" ? 1.0 / 40 : 0.2)
          << name << " epoch " << e + 1;
    }
  }
}

// Launched as srun launches (rank 0 hosts the store), rank 1 killed while
// training: rank 0 stops within its --dist-timeout with one line naming it.
TEST_F(ScaleOut, KilledRankStopsTheSurvivor) {
  const std::string port = std::to_string(test::free_port());
  pid_t pid[2];
  for (int r = 0; r < 2; ++r) {
    pid[r] = test::spawn(
        MISHLAB_EXE,
        with({"compare"},
             flags("out", {"--activations", "mish", "--baseline", "mish",
                           "--seeds", "1", "--epochs", "1000", "--model", "mlp",
                           "--dist-timeout", "5"})),
        {{"SLURM_PROCID", std::to_string(r)},
         {"SLURM_LOCALID", std::to_string(r)},
         {"SLURM_STEP_NUM_TASKS", "2"},
         {"MASTER_ADDR", "127.0.0.1"},
         {"MASTER_PORT", port}},
        dir_ / ("rank" + std::to_string(r) + ".txt"));
  }
  // Training has begun once rank 0 has written the configuration.
  test::wait_until([&] { return fs::exists(dir_ / "out" / "config.json"); },
                   seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid[1], SIGKILL);
  EXPECT_EQ(test::wait_exit(pid[1], seconds(10)), 128 + SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(test::wait_exit(pid[0], seconds(30)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, seconds(15));
  const std::string out = test::slurp(dir_ / "rank0.txt");
  const std::string last = out.substr(out.rfind('\n', out.size() - 2) + 1);
  EXPECT_EQ(last.rfind("mish-lab: rank 0 of 2: ", 0), 0u) << out;
}

// Two shards at once into one folder, one picked by --shard and one by
// Slurm's array variables; `mish-lab report` then gives the unsharded
// experiment's results.csv (times per epoch aside).
TEST_F(ScaleOut, ShardsMergedByReportEqualOneProcess) {
  const std::vector<std::string> sweep = {
      "--activations", "mish,relu", "--seeds", "2", "--epochs", "1",
      "--model",       "mlp",       "--quiet"};
  const auto whole = lab(with({"compare"}, flags("whole", sweep)), "whole.txt");
  ASSERT_EQ(whole.first, 0) << whole.second;

  const pid_t a = test::spawn(
      MISHLAB_EXE,
      with({"compare"}, flags("shared", with(sweep, {"--shard", "0/2"}))), {},
      dir_ / "shard0.txt");
  const pid_t b = test::spawn(
      MISHLAB_EXE, with({"compare"}, flags("shared", sweep)),
      {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}},
      dir_ / "shard1.txt");
  ASSERT_EQ(test::wait_exit(a, seconds(120)), 0)
      << test::slurp(dir_ / "shard0.txt");
  ASSERT_EQ(test::wait_exit(b, seconds(120)), 0)
      << test::slurp(dir_ / "shard1.txt");
  EXPECT_FALSE(fs::exists(dir_ / "shared" / "results.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "shared" / "report.md"));

  const auto report = lab({"report", (dir_ / "shared").string()}, "report.txt");
  ASSERT_EQ(report.first, 0) << report.second;
  const auto drop_times = [](const std::string& csv) {
    // seconds_per_epoch is the 11th column.
    std::string out, line;
    std::istringstream in(csv);
    while (std::getline(in, line)) {
      size_t begin = 0;
      for (int c = 0; c < 10; ++c) begin = line.find(',', begin) + 1;
      out +=
          line.substr(0, begin) + line.substr(line.find(',', begin) + 1) + "\n";
    }
    return out;
  };
  EXPECT_EQ(drop_times(test::slurp(dir_ / "shared" / "results.csv")),
            drop_times(test::slurp(dir_ / "whole" / "results.csv")));
  EXPECT_TRUE(fs::exists(dir_ / "shared" / "report.md"));
  EXPECT_TRUE(fs::exists(dir_ / "shared" / "summary.json"));

  // A missing run is named, the others still reported.
  fs::remove(dir_ / "shared" / "runs" / "relu-s1.json");
  const auto partial =
      lab({"report", (dir_ / "shared").string()}, "partial.txt");
  EXPECT_EQ(partial.first, 0) << partial.second;
  EXPECT_NE(partial.second.find("1 of 4 runs not finished yet"),
            std::string::npos)
      << partial.second;
  EXPECT_NE(partial.second.find("relu-s1"), std::string::npos);

  // A shard with other settings is refused before training.
  const auto other =
      lab(with({"compare"},
               flags("shared", with(sweep, {"--shard", "1/2", "--lr", "0.5"}))),
          "other.txt");
  EXPECT_EQ(other.first, 1);
  EXPECT_NE(other.second.find("other settings"), std::string::npos)
      << other.second;
}

}  // namespace
}  // namespace mishlab
