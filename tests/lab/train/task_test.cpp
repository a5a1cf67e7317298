// Each task's loss and metrics against values computed by hand on tiny
// tensors.
#include "train/task.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace mishlab {
namespace {

TEST(Task, ModelsChooseTheirTask) {
  EXPECT_EQ(task_name("cnn"), "classification");
  EXPECT_EQ(task_name("unet"), "segmentation");
  EXPECT_EQ(task_name("autoencoder"), "reconstruction");
  EXPECT_EQ(task_name("dcgan"), "adversarial");
  EXPECT_EQ(task_family("adversarial"), "generation");
  EXPECT_EQ(task_family("reconstruction"), "generation");
  EXPECT_EQ(task_family("segmentation"), "segmentation");
  EXPECT_EQ(task_for_model("unet", 3)->metrics()[0].name, "miou");
  EXPECT_EQ(task_for_model("dcgan", 10)->metrics()[0].name, "fid");
  EXPECT_FALSE(task_for_model("dcgan", 10)->metrics()[0].higher_is_better);
  EXPECT_FALSE(task_for_model("autoencoder", 0)->metrics()[0].higher_is_better);
}

TEST(Task, ClassificationLossAndAccuracy) {
  const auto task = task_for_model("cnn", 2);
  const at::Tensor out =
      at::tensor({2.0F, 1.0F, 0.0F, 3.0F, 1.0F, 0.0F}).view({3, 2});
  const at::Tensor y = at::tensor({0, 0, 0}, at::kLong);
  const double ce =
      (std::log(1 + std::exp(-1.0)) + std::log(1 + std::exp(3.0)) +
       std::log(1 + std::exp(-1.0))) /
      3;
  EXPECT_NEAR(task->loss(out, y).item<double>(), ce, 1e-6);
  const std::vector<double> c = task->counts(out, y);
  EXPECT_EQ(c, std::vector<double>({2, 3}));
  EXPECT_NEAR(task->values(c)[0], 2.0 / 3, 1e-12);
}

// A 2x2 image, 3 classes: pixel (1, 0) is ignored (and predicted as class
// 2, which no other pixel has: class 2 is absent from the batch).
//   labels  0 1    predictions  0 0
//           - 1                 2 1
at::Tensor seg_logits() {
  // Per pixel (c0, c1, c2), pixels in row-major order.
  const float px[4][3] = {{2, 0, 0}, {1, 0, 0}, {0, 0, 5}, {0, 3, 0}};
  at::Tensor t = at::zeros({1, 3, 2, 2});
  for (int p = 0; p < 4; ++p) {
    for (int c = 0; c < 3; ++c) t[0][c][p / 2][p % 2] = px[p][c];
  }
  return t;
}

TEST(Task, SegmentationLossLeavesIgnoredPixelsOut) {
  const auto task = task_for_model("unet", 3);
  const at::Tensor y = at::tensor({0, 1, 255, 1}, at::kLong).view({1, 2, 2});
  const double e = std::exp(1.0);
  const double ce = (-std::log(e * e / (e * e + 2)) - std::log(1 / (e + 2)) -
                     std::log(e * e * e / (e * e * e + 2))) /
                    3;
  EXPECT_NEAR(task->loss(seg_logits(), y).item<double>(), ce, 1e-6);
  // Every pixel ignored: no loss, not NaN.
  const at::Tensor none = at::full({1, 2, 2}, 255, at::kLong);
  EXPECT_EQ(task->loss(seg_logits(), none).item<double>(), 0);
}

TEST(Task, LossWeightsCountWhatTheLossAverages) {
  EXPECT_EQ(task_for_model("cnn", 2)->loss_weight(at::zeros({3}, at::kLong)),
            3);
  const at::Tensor y = at::tensor({0, 1, 255, 1}, at::kLong).view({1, 2, 2});
  EXPECT_EQ(task_for_model("unet", 3)->loss_weight(y), 3);  // labelled pixels
  EXPECT_EQ(
      task_for_model("autoencoder", 10)->loss_weight(at::zeros({2, 1, 2, 2})),
      8);
  EXPECT_EQ(task_for_model("dcgan", 10)->loss_weight(at::zeros({5})), 5);
}

TEST(Task, AdversarialLossScoresLogitsAsRealOrGenerated) {
  // Logit 0 taken as real: log 2; logit 2 taken as generated: log(1 + e^2).
  const auto task = task_for_model("dcgan", 10);
  const at::Tensor logits = at::tensor({0.0F, 2.0F});
  const at::Tensor targets = at::tensor({1.0F, 0.0F});
  EXPECT_NEAR(task->loss(logits, targets).item<double>(),
              (std::log(2.0) + std::log(1 + std::exp(2.0))) / 2, 1e-6);
}

TEST(Task, MeanIouCountsOnlyClassesPresentAndSkipsIgnoredPixels) {
  const auto task = task_for_model("unet", 3);
  const at::Tensor y = at::tensor({0, 1, 255, 1}, at::kLong).view({1, 2, 2});
  const std::vector<double> c = task->counts(seg_logits(), y);
  // Labelled pixels; intersections 1, 1, 0; unions 2, 2, 0.
  EXPECT_EQ(c, std::vector<double>({3, 1, 1, 0, 2, 2, 0}));
  const std::vector<double> v = task->values(c);
  EXPECT_NEAR(v[0], 0.5, 1e-12);      // (1/2 + 1/2) / 2: class 2 absent
  EXPECT_NEAR(v[1], 2.0 / 3, 1e-12);  // pixel accuracy
  // A second batch where class 2 is labelled and predicted right: the
  // pass's counts add up and class 2 now counts, with IoU 1.
  const at::Tensor y2 =
      at::tensor({255, 255, 2, 255}, at::kLong).view({1, 2, 2});
  std::vector<double> total = task->counts(seg_logits(), y2);
  for (size_t i = 0; i < total.size(); ++i) total[i] += c[i];
  EXPECT_NEAR(task->values(total)[0], (0.5 + 0.5 + 1) / 3, 1e-12);
  EXPECT_NEAR(task->values(total)[1], 3.0 / 4, 1e-12);
  // Nothing labelled: NaN, not 0.
  const std::vector<double> empty(7, 0);
  EXPECT_TRUE(std::isnan(task->values(empty)[0]));
  EXPECT_TRUE(std::isnan(task->values(empty)[1]));
}

TEST(Task, ReconstructionMse) {
  const auto task = task_for_model("autoencoder", 10);
  const at::Tensor out = at::tensor({0.5F, 0.25F}).view({1, 1, 1, 2});
  const at::Tensor y = at::tensor({1.0F, 0.0F}).view({1, 1, 1, 2});
  EXPECT_NEAR(task->loss(out, y).item<double>(), 0.15625, 1e-7);
  const std::vector<double> c = task->counts(out, y);
  EXPECT_EQ(c, std::vector<double>({0.3125, 2}));
  EXPECT_NEAR(task->values(c)[0], 0.15625, 1e-12);
}

}  // namespace
}  // namespace mishlab
