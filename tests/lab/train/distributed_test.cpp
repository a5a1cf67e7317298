// The data-parallel engine (c10d over Gloo) with real processes on the
// loopback: the launchers' environment contract, the collectives under
// Debian's torchrun and under an srun-like launch where rank 0 hosts the
// store, a rank that starts late, and the failures (a missing peer, a dead
// peer, a hung peer, a rank with other settings). The test binary is also the
// worker: `worker SCENARIO`.

#include "train/distributed.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "common/error.hpp"
#include "data/segmentation.hpp"
#include "processes.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/run_spec.hpp"
#include "train/task.hpp"
#include "train/trainer.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- the worker side ------------------------------------------------------

#define CHECK_OR_FAIL(cond)                                                   \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "check failed on rank %d: %s\n", g.rank(), #cond); \
      return 1;                                                               \
    }                                                                         \
  } while (0)

int collectives(Group& g) {
  const int w = g.size(), r = g.rank();
  // The parts tile [0, n) in rank order.
  std::vector<double> cover = {static_cast<double>(g.part(7).count),
                               static_cast<double>(g.part(1).count)};
  g.sum(cover);
  CHECK_OR_FAIL(cover[0] == 7 && cover[1] == 1);
  CHECK_OR_FAIL(g.part(7).first == 7 * r / w);

  // Parameters: rank 0's everywhere after the broadcast.
  torch::manual_seed(static_cast<uint64_t>(100 + r));
  torch::nn::Linear model(5, 3);
  g.broadcast(model->parameters());
  std::vector<double> sums;
  for (const at::Tensor& p : model->parameters()) {
    sums.push_back(p.sum().item<double>());
  }
  std::vector<double> total = sums;
  g.sum(total);
  for (size_t i = 0; i < sums.size(); ++i) {
    CHECK_OR_FAIL(std::abs(total[i] - w * sums[i]) < 1e-4);
  }

  // Gradients: the mean over the ranks; a missing one counts as zero. The
  // smallest bucket size puts each tensor in a bucket of its own.
  for (int64_t bucket : {int64_t{1}, int64_t{25} << 20}) {
    model->weight.mutable_grad() = at::full_like(model->weight, r + 1.0);
    model->bias.mutable_grad() = at::Tensor();
    g.average_gradients(*model, bucket);
    CHECK_OR_FAIL(model->weight.grad().eq((w + 1) / 2.0).all().item<bool>());
    CHECK_OR_FAIL(model->bias.grad().eq(0).all().item<bool>());
  }

  // A checkpoint's bytes, zero bytes included.
  std::string bytes = g.root() ? std::string("ckpt\0data", 9) : "";
  g.broadcast(bytes);
  CHECK_OR_FAIL(bytes == std::string("ckpt\0data", 9));
  std::string empty = g.root() ? "" : "stale";
  g.broadcast(empty);
  CHECK_OR_FAIL(empty.empty());

  g.require_same("settings", "lr=0.1");
  g.barrier();
  return 0;
}

// One epoch of SGD with momentum on a network without batch norm or dropout,
// data-parallel and, in the same process, alone: the parameters agree to
// float rounding, and so do the losses and metrics. The global batch of 33
// splits 16/17, which checks the weighting of unequal parts; 99 examples
// leave no remainder.
int agrees_with_one_process(Group& g,
                            const std::function<torch::nn::AnyModule()>& model,
                            const std::shared_ptr<const Task>& task,
                            const TensorSet& data) {
  TrainSettings settings;
  settings.optimizer = "sgd";
  settings.lr = 0.1;
  settings.momentum = 0.9;
  std::vector<std::vector<at::Tensor>> params;
  std::vector<PassStats> train, test;
  for (Group* group : {&g, static_cast<Group*>(nullptr)}) {
    // Rank 1 starts from other weights: the broadcast replaces them.
    torch::manual_seed(group ? static_cast<uint64_t>(g.rank()) : 0);
    torch::nn::AnyModule m = model();
    auto optimizer = make_optimizer(m.ptr()->parameters(), settings);
    TrainerOptions options;
    options.group = group;
    options.task = task;
    Trainer t(std::move(m), std::move(optimizer), get_schedule("constant"), 3,
              options);
    TensorBatches train_batches(data, 33, true);
    TensorBatches test_batches(data, 40, false);
    train.push_back(t.train_epoch(train_batches, 7, {}));
    test.push_back(t.evaluate(test_batches, 0.5, 3));
    params.push_back({});
    for (const at::Tensor& p : t.module().parameters()) {
      params.back().push_back(p.detach().clone());
    }
  }
  for (size_t i = 0; i < params[0].size(); ++i) {
    const double diff =
        (params[0][i] - params[1][i]).abs().max().item<double>();
    if (diff > 1e-5) {
      std::fprintf(stderr, "rank %d: parameter %zu differs by %g\n", g.rank(),
                   i, diff);
      return 1;
    }
  }
  CHECK_OR_FAIL(std::abs(train[0].loss - train[1].loss) < 1e-5);
  CHECK_OR_FAIL(train[0].metrics == train[1].metrics);
  CHECK_OR_FAIL(std::abs(test[0].loss - test[1].loss) < 1e-5);
  CHECK_OR_FAIL(test[0].metrics == test[1].metrics);
  return 0;
}

// Classification with an MLP.
int classification(Group& g) {
  RunSpec s;
  s.activation = "mish";
  s.train.model = "mlp";
  const DataShape shape{1, 4, 4, 3};
  at::Generator gen = at::detail::createCPUGenerator(5);
  const at::Tensor y = at::arange(99) % 3;
  const TensorSet data{
      at::randn({99, 1, 4, 4}, gen) + y.to(at::kFloat).view({99, 1, 1, 1}), y};
  return agrees_with_one_process(
      g, [&] { return build_model(s, shape); }, task_for_model("mlp", 3), data);
}

// Segmentation with a 1x1 convolution, where the first 50 images have one
// labelled pixel and the others 16: the ranks' parts hold unequal numbers
// of labelled pixels, so the loss must be weighted by them, not by images.
int segmentation(Group& g) {
  at::Generator gen = at::detail::createCPUGenerator(5);
  const at::Tensor x = at::randn({99, 1, 4, 4}, gen);
  at::Tensor y = ((x > 0).to(at::kLong) + (x > 1).to(at::kLong)).squeeze(1);
  y.narrow(0, 0, 50).view({50, 16}).narrow(1, 1, 15).fill_(kIgnoreIndex);
  return agrees_with_one_process(
      g,
      [] {
        return torch::nn::AnyModule(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 3, 1)));
      },
      task_for_model("unet", 3), TensorSet{x, y});
}

int worker(const std::string& scenario) {
  const std::optional<Launch> launch = launch_from_env(process_environment());
  if (!launch) {
    std::fprintf(stderr, "worker: no launcher in the environment\n");
    return 3;
  }
  // Collectives time out fast; joining waits for a slow start (sanitizers,
  // a busy machine), but for the rank left alone.
  Group g(*launch, c10::Device(c10::kCPU), milliseconds(2000),
          scenario == "alone" ? seconds(2) : seconds(60));
  if (scenario == "collectives") return collectives(g);
  if (scenario == "classification") return classification(g);
  if (scenario == "segmentation") return segmentation(g);
  std::vector<double> one = {1};
  g.sum(one);
  if (scenario == "dies" || scenario == "hangs") {
    if (g.rank() == 1) {
      if (scenario == "dies") std::raise(SIGKILL);
      std::fprintf(stderr, "hanging\n");
      std::this_thread::sleep_for(seconds(60));
    }
    for (;;) g.sum(one);  // until the peer's absence is noticed
  }
  if (scenario == "differs") {
    g.require_same("settings", g.rank() == 1 ? "lr=0.2" : "lr=0.1");
    return 0;
  }
  return 3;
}

// ---- the test side --------------------------------------------------------

fs::path self_exe() { return fs::read_symlink("/proc/self/exe"); }

fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      fs::temp_directory_path() / "mishlab_distributed_test" / info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Two workers launched as srun would: SLURM_PROCID and SLURM_STEP_NUM_TASKS,
// MASTER_ADDR/PORT exported, rank 0 hosting the store.
struct Pair {
  pid_t pid[2];
  fs::path log[2];
};
pid_t start_rank(int rank, const std::string& scenario, const std::string& port,
                 const fs::path& log) {
  return test::spawn(self_exe(), {"worker", scenario},
                     {{"SLURM_PROCID", std::to_string(rank)},
                      {"SLURM_LOCALID", std::to_string(rank)},
                      {"SLURM_STEP_NUM_TASKS", "2"},
                      {"MASTER_ADDR", "127.0.0.1"},
                      {"MASTER_PORT", port}},
                     log);
}

// Rank 1 starts `late` after rank 0.
Pair start_pair(const std::string& scenario, const fs::path& dir,
                milliseconds late = milliseconds(0)) {
  const std::string port = std::to_string(test::free_port());
  Pair p;
  for (int r = 0; r < 2; ++r) {
    if (r == 1) std::this_thread::sleep_for(late);
    p.log[r] = dir / ("rank" + std::to_string(r) + ".txt");
    p.pid[r] = start_rank(r, scenario, port, p.log[r]);
  }
  return p;
}

TEST(LaunchFromEnv, NoLauncherIsOneProcess) {
  std::map<std::string, std::string> env;
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(launch_from_env(get));
  // A batch script's own command is one process whatever the job's size:
  // only srun sets SLURM_STEP_NUM_TASKS.
  env = {{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}};
  EXPECT_FALSE(launch_from_env(get));
  env = {{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"LOCAL_RANK", "0"}};
  EXPECT_FALSE(launch_from_env(get));
}

TEST(LaunchFromEnv, TorchrunAndSrun) {
  std::map<std::string, std::string> env = {
      {"RANK", "3"},
      {"WORLD_SIZE", "4"},
      {"LOCAL_RANK", "1"},
      {"MASTER_ADDR", "node7"},
      {"MASTER_PORT", "29400"},
      {"TORCHELASTIC_USE_AGENT_STORE", "True"},
      {"TORCHELASTIC_RESTART_COUNT", "2"}};
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  std::optional<Launch> l = launch_from_env(get);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->launcher, "torchrun");
  EXPECT_EQ(l->rank, 3);
  EXPECT_EQ(l->world_size, 4);
  EXPECT_EQ(l->local_rank, 1);
  EXPECT_EQ(l->master_addr, "node7");
  EXPECT_EQ(l->master_port, 29400);
  EXPECT_TRUE(l->agent_store);
  EXPECT_EQ(l->restart_count, 2);

  env = {{"SLURM_PROCID", "5"},       {"SLURM_STEP_NUM_TASKS", "8"},
         {"SLURM_LOCALID", "1"},      {"SLURM_NTASKS", "8"},
         {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "12345"}};
  l = launch_from_env(get);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->launcher, "srun");
  EXPECT_EQ(l->rank, 5);
  EXPECT_EQ(l->world_size, 8);
  EXPECT_EQ(l->local_rank, 1);
  EXPECT_FALSE(l->agent_store);
}

TEST(LaunchFromEnv, RefusesBadDescriptions) {
  std::map<std::string, std::string> env;
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  const std::map<std::string, std::string> good = {{"RANK", "1"},
                                                   {"WORLD_SIZE", "2"},
                                                   {"MASTER_ADDR", "h"},
                                                   {"MASTER_PORT", "1234"}};
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"RANK", "2"},
           {"RANK", "-1"},
           {"RANK", "1x"},
           {"WORLD_SIZE", "0"},
           {"MASTER_PORT", "70000"},
           {"MASTER_ADDR", ""},
           {"WORLD_SIZE", ""}}) {
    env = good;
    env[key] = value;
    EXPECT_THROW(launch_from_env(get), Error) << key << "=" << value;
  }
  env = good;
  EXPECT_NO_THROW(launch_from_env(get));
}

TEST(Group, CollectivesUnderTorchrun) {
  const char* torchrun = MISHLAB_TORCHRUN;  // the build's torch's
  if (!fs::exists(torchrun)) GTEST_SKIP() << "no torchrun (python3-torch)";
  const fs::path dir = test_dir();
  // Debian's torchrun (torch 1.13) spells its flags with underscores. Under
  // Python 3.11 its stream settings 0 and 3 (the defaults among them) are no
  // longer members of its Std flag and crash it: 1 (stdout) is safe. Its
  // agent hosts the store.
  const pid_t pid = test::spawn(
      torchrun,
      {"--nproc_per_node=2", "--no_python", "--max_restarts=0",
       "--master_port=" + std::to_string(test::free_port()), "--redirects=1",
       "--tee=1", "--log_dir=" + (dir / "logs").string(), self_exe().string(),
       "worker", "collectives"},
      {}, dir / "torchrun.txt");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(test::wait_exit(pid, seconds(60)), 0)
      << test::slurp(dir / "torchrun.txt");
}

TEST(Group, CollectivesWithRankZeroHostingTheStore) {
  const fs::path dir = test_dir();
  Pair p = start_pair("collectives", dir);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(test::wait_exit(p.pid[r], seconds(30)), 0)
        << test::slurp(p.log[r]);
  }
}

// A rank that starts later than the collectives' timeout (slow to load, a
// busy node) joins: only the start waits that long.
TEST(Group, LateRankJoins) {
  const fs::path dir = test_dir();
  Pair p = start_pair("collectives", dir, milliseconds(3500));
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(test::wait_exit(p.pid[r], seconds(30)), 0)
        << test::slurp(p.log[r]);
  }
}

// A rank whose peer never starts stops at the end of its join timeout.
TEST(Group, MissingRankStopsTheStart) {
  const fs::path log = test_dir() / "rank0.txt";
  const pid_t pid =
      start_rank(0, "alone", std::to_string(test::free_port()), log);
  EXPECT_EQ(test::wait_exit(pid, seconds(30)), 1);
  const std::string out = test::slurp(log);
  EXPECT_NE(out.find("rank 0 of 2: waiting for every rank to join failed"),
            std::string::npos)
      << out;
}

// The survivor's own message, one line, within the 2 s timeout.
void expect_stopped(const fs::path& log, const std::string& cause) {
  const std::string out = test::slurp(log);
  EXPECT_NE(out.find("rank 0 of 2: summing metrics failed"), std::string::npos)
      << out;
  EXPECT_NE(out.find(cause), std::string::npos) << out;
}

TEST(Group, TrainerMatchesOneProcess) {
  const fs::path dir = test_dir();
  Pair p = start_pair("classification", dir);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(test::wait_exit(p.pid[r], seconds(60)), 0)
        << test::slurp(p.log[r]);
  }
}

TEST(Group, SegmentationTrainerMatchesOneProcess) {
  const fs::path dir = test_dir();
  Pair p = start_pair("segmentation", dir);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(test::wait_exit(p.pid[r], seconds(60)), 0)
        << test::slurp(p.log[r]);
  }
}

TEST(Group, DeadPeerStopsTheSurvivor) {
  const fs::path dir = test_dir();
  Pair p = start_pair("dies", dir);
  EXPECT_EQ(test::wait_exit(p.pid[1], seconds(30)), 128 + SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(test::wait_exit(p.pid[0], seconds(10)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5));
  expect_stopped(p.log[0], "peer");
}

TEST(Group, HungPeerTimesOut) {
  const fs::path dir = test_dir();
  Pair p = start_pair("hangs", dir);
  // From the moment rank 1 hangs: starting may take long on a busy machine.
  test::wait_until(
      [&] {
        return test::slurp(p.log[1]).find("hanging") != std::string::npos;
      },
      seconds(60));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(test::wait_exit(p.pid[0], seconds(15)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(12));
  kill(p.pid[1], SIGKILL);
  test::wait_exit(p.pid[1], seconds(5));
  expect_stopped(p.log[0], "Timed out");
}

TEST(Group, RankWithOtherSettingsIsRefused) {
  const fs::path dir = test_dir();
  Pair p = start_pair("differs", dir);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(test::wait_exit(p.pid[r], seconds(30)), 1);
    const std::string out = test::slurp(p.log[r]);
    EXPECT_NE(out.find("rank(s) 1 have other settings than rank 0"),
              std::string::npos)
        << out;
  }
}

}  // namespace
}  // namespace mishlab

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "worker") {
    try {
      return mishlab::worker(argv[2]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "worker: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
