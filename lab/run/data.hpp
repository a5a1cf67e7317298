#pragma once

#include <c10/core/Device.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "run/config.hpp"
#include "train/batches.hpp"
#include "train/feature_net.hpp"
#include "train/run_spec.hpp"

namespace mishlab {

// What the runs of an experiment train and are evaluated on.
struct ExperimentData {
  std::string format;  // config.json's data.format
  // Identifies the examples, for data-parallel ranks to check they train on
  // the same (empty: the folder's name and counts stand for them).
  std::string fingerprint;
  DataShape shape;
  std::unique_ptr<BatchSource> train;
  std::unique_ptr<BatchSource> test;
  // Adversarial generation: what generated images are scored against.
  std::shared_ptr<const FeatureReference> reference;
};

// Opens the folder that --data names with --train-limit/--test-limit, with
// the targets of the model's task: IDX or CIFAR files held as tensors on
// `device`, or JPEG class folders decoded as the runs go; to segment,
// scenes made of IDX items or folders of images and PNG masks; for the
// DCGAN, IDX or CIFAR pixels with the feature reference (the data set's
// cached classifier, run/feature_cache.hpp, and the test images'
// features). Throws Error on bad data, a corrupt classifier cache, and when
// the training set makes no batch to train on.
ExperimentData open_data(const RunConfig& config, c10::Device device);

// The data of every task among an experiment's runs (a suite mixes
// classification, segmentation, reconstruction and adversarial generation),
// each opened once from
// --data with the experiment's limits and the run's model and batch size.
// Throws Error as open_data does, before anything is trained.
class DataSets {
 public:
  DataSets(const RunConfig& config, const std::vector<RunSpec>& runs,
           c10::Device device);
  // The data `run` trains and is evaluated on.
  ExperimentData& of(const RunSpec& run);
  // The first run's, which config.json describes as "data".
  ExperimentData& first() { return of(first_); }
  // Every task's data by task name.
  const std::map<std::string, ExperimentData>& all() const { return sets_; }

 private:
  RunSpec first_;
  std::map<std::string, ExperimentData> sets_;
};

}  // namespace mishlab
