#pragma once

// What a run learns: the loss on a batch's targets and the metrics of a
// pass. Classification (labels), segmentation (a class per pixel, 255 =
// ignore) and reconstruction (the input's pixels in [0, 1]) share the
// Trainer's one step; the batch source yields the task's targets as y.
// Adversarial generation (the DCGAN, with the input's pixels as y) has the
// Trainer's alternating two-optimizer step: its loss scores discriminator
// logits against real (1) or generated (0), its metric the generated
// images.
//
// Metrics are computed from sums that add over batches and data-parallel
// ranks (counts()), so a pass's metrics are exact, not means of batch
// means.

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace mishlab {

struct FeatureReference;

struct MetricInfo {
  std::string name;   // results and summary.json key: "accuracy", "miou"
  std::string label;  // the report's words: "mean IoU (%)"
  bool higher_is_better = true;
  double scale = 1;  // shown as value * scale (100 for percentages)
  int digits = 2;    // decimals shown
};

class Task {
 public:
  virtual ~Task() = default;
  // "classification", "segmentation", "reconstruction", "adversarial".
  virtual std::string name() const = 0;
  // The metrics, main one first.
  virtual std::vector<MetricInfo> metrics() const = 0;
  // Mean loss of a batch's outputs against its targets (training adds
  // label smoothing where the task has labels).
  virtual at::Tensor loss(const at::Tensor& out, const at::Tensor& y,
                          double label_smoothing = 0) const = 0;
  // What loss() averages over in y: examples, labelled pixels or elements.
  // Data-parallel ranks weight their losses by it, so that the global
  // batch's loss is the one a single process computes.
  virtual double loss_weight(const at::Tensor& y) const = 0;
  // The sums the metrics follow from, for one batch (same length for every
  // batch of a task).
  virtual std::vector<double> counts(const at::Tensor& out,
                                     const at::Tensor& y) const = 0;
  // The metrics (in metrics() order) from summed counts; NaN when nothing
  // was counted.
  virtual std::vector<double> values(
      const std::vector<double>& counts) const = 0;
};

// The task of a model: "unet" segments, "autoencoder" reconstructs,
// "dcgan" generates adversarially, the others classify. `classes` is the
// data's; `reference` scores adversarial generation (the report, which only
// names the metrics, does without).
std::shared_ptr<const Task> task_for_model(
    const std::string& model, int64_t classes,
    std::shared_ptr<const FeatureReference> reference = nullptr);
std::string task_name(const std::string& model);
// The subcommand family of a task: "generation" holds reconstruction and
// adversarial generation, the other tasks are their own.
std::string task_family(const std::string& task);

}  // namespace mishlab
