#include "train/task.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "data/segmentation.hpp"
#include "train/feature_net.hpp"

namespace mishlab {

namespace {

class Classification : public Task {
 public:
  std::string name() const override { return "classification"; }
  std::vector<MetricInfo> metrics() const override {
    return {{"accuracy", "accuracy (%)", true, 100, 2}};
  }
  at::Tensor loss(const at::Tensor& out, const at::Tensor& y,
                  double label_smoothing) const override {
    return at::cross_entropy_loss(out, y, {}, at::Reduction::Mean, -100,
                                  label_smoothing);
  }
  double loss_weight(const at::Tensor& y) const override {
    return static_cast<double>(y.size(0));
  }
  // Correct predictions, examples.
  std::vector<double> counts(const at::Tensor& out,
                             const at::Tensor& y) const override {
    return {static_cast<double>(out.argmax(1).eq(y).sum().item<int64_t>()),
            static_cast<double>(y.size(0))};
  }
  std::vector<double> values(const std::vector<double>& c) const override {
    return {c[1] > 0 ? c[0] / c[1] : NAN};
  }
};

class Segmentation : public Task {
 public:
  explicit Segmentation(int64_t classes) : classes_(classes) {}
  std::string name() const override { return "segmentation"; }
  std::vector<MetricInfo> metrics() const override {
    return {{"miou", "mean IoU (%)", true, 100, 2},
            {"pixel_accuracy", "pixel accuracy (%)", true, 100, 2}};
  }
  at::Tensor loss(const at::Tensor& out, const at::Tensor& y,
                  double label_smoothing) const override {
    // A batch whose pixels are all ignored has no mean: it contributes
    // nothing rather than a NaN.
    if (!y.ne(kIgnoreIndex).any().item<bool>()) return out.sum() * 0;
    return at::cross_entropy_loss(out, y, {}, at::Reduction::Mean, kIgnoreIndex,
                                  label_smoothing);
  }
  double loss_weight(const at::Tensor& y) const override {
    return static_cast<double>(y.ne(kIgnoreIndex).sum().item<int64_t>());
  }
  // Labelled pixels, then per class the intersection (pixels predicted and
  // labelled c), then per class the union (predicted or labelled c), over
  // the pixels not ignored.
  std::vector<double> counts(const at::Tensor& out,
                             const at::Tensor& y) const override {
    const at::Tensor valid = y.ne(kIgnoreIndex);
    const at::Tensor truth = y.masked_select(valid);
    const at::Tensor pred = out.argmax(1).masked_select(valid);
    // Confusion matrix: row = label, column = prediction.
    const at::Tensor confusion =
        at::bincount(truth * classes_ + pred, {}, classes_ * classes_)
            .view({classes_, classes_})
            .to(at::kDouble)
            .cpu();
    const at::Tensor inter = confusion.diagonal();
    const at::Tensor uni = confusion.sum(0) + confusion.sum(1) - inter;
    std::vector<double> c = {static_cast<double>(truth.numel())};
    for (const at::Tensor& t : {inter, uni}) {
      const at::Tensor v = t.contiguous();
      c.insert(c.end(), v.data_ptr<double>(), v.data_ptr<double>() + classes_);
    }
    return c;
  }
  // mIoU over the classes present (labelled or predicted) in the pass.
  std::vector<double> values(const std::vector<double>& c) const override {
    double iou = 0;
    double correct = 0;
    int present = 0;
    for (int64_t k = 0; k < classes_; ++k) {
      const double inter = c[static_cast<size_t>(1 + k)];
      const double uni = c[static_cast<size_t>(1 + classes_ + k)];
      correct += inter;
      if (uni > 0) {
        iou += inter / uni;
        ++present;
      }
    }
    return {present ? iou / present : NAN, c[0] > 0 ? correct / c[0] : NAN};
  }

 private:
  int64_t classes_;
};

class Reconstruction : public Task {
 public:
  std::string name() const override { return "reconstruction"; }
  std::vector<MetricInfo> metrics() const override {
    return {{"mse", "MSE", false, 1, 6}};
  }
  at::Tensor loss(const at::Tensor& out, const at::Tensor& y,
                  double /*label_smoothing*/) const override {
    return at::mse_loss(out, y);
  }
  double loss_weight(const at::Tensor& y) const override {
    return static_cast<double>(y.numel());
  }
  // Squared error, elements.
  std::vector<double> counts(const at::Tensor& out,
                             const at::Tensor& y) const override {
    return {(out - y).square().sum().item<double>(),
            static_cast<double>(y.numel())};
  }
  std::vector<double> values(const std::vector<double>& c) const override {
    return {c[1] > 0 ? c[0] / c[1] : NAN};
  }
};

class AdversarialGeneration : public Task {
 public:
  explicit AdversarialGeneration(std::shared_ptr<const FeatureReference> r)
      : reference_(std::move(r)) {}
  std::string name() const override { return "adversarial"; }
  std::vector<MetricInfo> metrics() const override {
    return {{"fid", "Fréchet distance (FID's formula)", false, 1, 3}};
  }
  // Discriminator logits against targets 1 (real) or 0 (generated).
  at::Tensor loss(const at::Tensor& out, const at::Tensor& y,
                  double /*label_smoothing*/) const override {
    return at::binary_cross_entropy_with_logits(out, y);
  }
  double loss_weight(const at::Tensor& y) const override {
    return static_cast<double>(y.size(0));
  }
  // The Gaussian's sums of the generated images' features.
  std::vector<double> counts(const at::Tensor& out,
                             const at::Tensor& /*y*/) const override {
    return feature_sums(reference_->net->features(out));
  }
  std::vector<double> values(const std::vector<double>& c) const override {
    if (c.empty() || c[0] < 2) return {NAN};
    return {frechet_distance(gaussian_from_sums(c, FeatureNetImpl::kFeatures),
                             reference_->test)};
  }

 private:
  std::shared_ptr<const FeatureReference> reference_;
};

}  // namespace

std::string task_name(const std::string& model) {
  if (model == "unet") return "segmentation";
  if (model == "autoencoder") return "reconstruction";
  if (model == "dcgan") return "adversarial";
  return "classification";
}

std::string task_family(const std::string& task) {
  if (task == "reconstruction" || task == "adversarial") return "generation";
  return task;
}

std::shared_ptr<const Task> task_for_model(
    const std::string& model, int64_t classes,
    std::shared_ptr<const FeatureReference> reference) {
  const std::string name = task_name(model);
  if (name == "adversarial") {
    return std::make_shared<AdversarialGeneration>(std::move(reference));
  }
  if (name == "segmentation") return std::make_shared<Segmentation>(classes);
  if (name == "reconstruction") return std::make_shared<Reconstruction>();
  return std::make_shared<Classification>();
}

}  // namespace mishlab
