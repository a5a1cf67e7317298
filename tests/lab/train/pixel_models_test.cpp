// The U-Net and the autoencoder: output shapes, and the U-Net learns scenes
// through the Trainer's one step.
#include "train/pixel_models.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "common/error.hpp"
#include "train/trainer.hpp"

namespace mishlab {
namespace {

RunSpec spec(const std::string& model, int width) {
  RunSpec s;
  s.activation = "mish";
  s.train.model = model;
  s.train.width = width;
  return s;
}

TEST(PixelModels, UNetGivesLogitsPerPixel) {
  torch::manual_seed(0);
  for (int64_t side : {64, 28, 6}) {  // 3, 2 and 1 poolings
    torch::nn::AnyModule m = unet(spec("unet", 4), {3, side, side, 5});
    const at::Tensor out = m.forward(at::randn({2, 3, side, side}));
    EXPECT_EQ(out.sizes(), at::IntArrayRef({2, 5, side, side})) << side;
  }
}

TEST(PixelModels, AutoencoderReconstructsPixelsInZeroOne) {
  torch::manual_seed(0);
  torch::nn::AnyModule m = autoencoder(spec("autoencoder", 4), {1, 28, 28, 10});
  const at::Tensor out = m.forward(at::randn({3, 1, 28, 28}));
  EXPECT_EQ(out.sizes(), at::IntArrayRef({3, 1, 28, 28}));
  EXPECT_GE(out.min().item<float>(), 0);
  EXPECT_LE(out.max().item<float>(), 1);
  EXPECT_THROW(autoencoder(spec("autoencoder", 4), {1, 30, 30, 10}), Error);
}

TEST(PixelModels, UNetLearnsScenesThroughTheTrainer) {
  torch::manual_seed(0);
  const RunSpec s = spec("unet", 4);
  // Two classes: bright squares (1) on a dark background (0).
  at::Tensor y = at::zeros({8, 16, 16}, at::kLong);
  y.narrow(1, 4, 6).narrow(2, 3, 7).fill_(1);
  const at::Tensor x =
      y.unsqueeze(1).to(at::kFloat) * 2 - 1 + 0.3 * at::randn({8, 1, 16, 16});
  torch::nn::AnyModule m = unet(s, {1, 16, 16, 2});
  auto opt = std::make_unique<torch::optim::Adam>(
      m.ptr()->parameters(), torch::optim::AdamOptions(1e-2));
  TrainerOptions o;
  o.task = task_for_model("unet", 2);
  Trainer t(m, std::move(opt), nullptr, 30, o);
  std::vector<double> counts;
  const double first = t.step({x, y}, &counts);
  double last = first;
  for (int i = 0; i < 29; ++i) last = t.step({x, y}, &counts);
  EXPECT_LT(last, first / 2);
  EXPECT_GT(t.task().values(counts)[0], 0.5);  // mIoU over the 30 steps
}

}  // namespace
}  // namespace mishlab
