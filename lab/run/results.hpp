#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/run_spec.hpp"

namespace mishlab {

// train_acc and test_acc hold the task's main metric (train/task.hpp):
// accuracy when classifying; test_metrics every metric of the test pass.
struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;
  double train_acc = 0;
  double test_loss = 0;
  double test_acc = 0;
  double seconds = 0;  // training time of the epoch, evaluation excluded
  std::map<std::string, double> test_metrics;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EpochRecord, epoch, train_loss,
                                                train_acc, test_loss, test_acc,
                                                seconds, test_metrics)

struct RunResult {
  RunSpec spec;
  std::string status = "ok";  // or "diverged" (NaN or infinite loss)
  std::vector<EpochRecord> epochs;
  std::vector<double> noise_acc;  // one per spec.noise
  int resumed_at = 0;             // epoch a checkpoint restored, 0 if none

  bool ok() const { return status == "ok"; }
  // Test accuracy (the main metric) after the last epoch; NaN for a
  // diverged run.
  double final_acc() const;
  // A test metric after the last epoch; NaN for a diverged run or one
  // without it.
  double final_metric(const std::string& name) const;
  double seconds_per_epoch() const;
};

// runs/<id>.json; the spec's settings through their declarations.
nlohmann::json result_json(const RunResult& result);
RunResult result_from_json(const nlohmann::json& j);

// results.csv: one row per run with its point, activation, seed and metrics.
std::string results_csv(const std::vector<RunResult>& results);

}  // namespace mishlab
