#include "run/checkpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "parameters.hpp"
#include "train/models.hpp"
#include "train/optimizers.hpp"
#include "train/run_spec.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

TensorSet blobs(int64_t n) {
  at::Generator gen = at::detail::createCPUGenerator(n);
  const at::Tensor y = at::arange(n) % 3;
  return {at::randn({n, 1, 4, 4}, gen) + y.to(at::kFloat).view({n, 1, 1, 1}),
          y};
}

Trainer make_trainer() {
  RunSpec s;
  s.activation = "mish";
  s.train.model = "cnn";
  s.train.lr = 1e-2;
  torch::manual_seed(0);
  torch::nn::AnyModule model = build_model(s, DataShape{1, 4, 4, 3});
  auto optimizer = make_optimizer(model.ptr()->parameters(), s.train);
  return Trainer(std::move(model), std::move(optimizer),
                 get_schedule("constant"), 100);
}


fs::path test_dir() {
  const fs::path dir =
      fs::temp_directory_path() / ("mishlab_ckpt_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(Checkpoint, RoundTrip) {
  const fs::path dir = test_dir();
  const fs::path path = dir / "run.ckpt";
  Trainer t = make_trainer();
  TensorBatches data(blobs(64), 16, true);
  t.train_epoch(data, 0, {});
  save_checkpoint(t, path, 1, "[1]");
  const auto saved = test::snapshot(t.module());
  const int64_t steps = t.steps();
  t.train_epoch(data, 1, {});
  EXPECT_FALSE(test::same(saved, test::snapshot(t.module())));
  const auto restored = load_checkpoint(t, path);
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->epoch, 1);
  EXPECT_EQ(restored->history, "[1]");
  EXPECT_EQ(t.steps(), steps);
  EXPECT_TRUE(test::same(saved, test::snapshot(t.module())));
  std::ofstream(path, std::ios::binary) << "not a checkpoint";
  EXPECT_FALSE(load_checkpoint(t, path).has_value());
  fs::remove(path);
  EXPECT_FALSE(load_checkpoint(t, path).has_value());
  fs::remove_all(dir);
}

// LibTorch's own file writer aborts the process when the disk is full; the
// checkpoint is an Error naming the file, and the last one stays readable.
TEST(Checkpoint, ADiskFullSaveIsAnErrorAndKeepsTheLastCheckpoint) {
  const fs::path dir = test_dir();
  const fs::path path = dir / "run.ckpt";
  Trainer t = make_trainer();
  save_checkpoint(t, path, 1, "[1]");
  fs::create_symlink("/dev/full", dir / "run.ckpt.tmp");  // a full disk
  try {
    save_checkpoint(t, path, 2, "[1,2]");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write " + path.string() + ": No space left on device");
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "run.ckpt.tmp")));
  const auto restored = load_checkpoint(t, path);
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->epoch, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mishlab
