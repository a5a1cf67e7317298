#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "run/config.hpp"
#include "train/batches.hpp"

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
};

// Opens the folder that --data names with --train-limit/--test-limit, with
// the targets of the model's task: IDX or CIFAR files held as tensors on
// `device`, or JPEG class folders decoded as the runs go; to segment,
// scenes made of IDX items or folders of images and PNG masks. Throws Error on
// bad data, and when the training set makes no batch to train on.
ExperimentData open_data(const RunConfig& config, c10::Device device);

}  // namespace mishlab
