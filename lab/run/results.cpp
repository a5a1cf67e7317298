#include "run/results.hpp"

#include <cmath>
#include <set>
#include <sstream>

#include "report/table.hpp"
#include "run/config.hpp"

namespace mishlab {

double RunResult::final_acc() const {
  return ok() && !epochs.empty() ? epochs.back().test_acc : NAN;
}

double RunResult::final_metric(const std::string& name) const {
  if (!ok() || epochs.empty()) return NAN;
  const auto it = epochs.back().test_metrics.find(name);
  return it == epochs.back().test_metrics.end() ? NAN : it->second;
}

double RunResult::seconds_per_epoch() const {
  if (epochs.empty()) return NAN;
  double total = 0;
  for (const EpochRecord& e : epochs) total += e.seconds;
  return total / static_cast<double>(epochs.size());
}

nlohmann::json result_json(const RunResult& r) {
  const RunSpec& s = r.spec;
  return {{"spec",
           {{"point", s.point},
            {"x", s.x},
            {"activation", s.activation},
            {"seed", s.seed},
            {"depth", s.depth},
            {"noise", s.noise},
            {"train", train_json(s.train)}}},
          {"status", r.status},
          {"epochs", r.epochs},
          {"noise_acc", r.noise_acc},
          {"resumed_at", r.resumed_at}};
}

RunResult result_from_json(const nlohmann::json& j) {
  RunResult r;
  const nlohmann::json& s = j.at("spec");
  r.spec.point = s.at("point").get<std::string>();
  r.spec.x = s.at("x").get<double>();
  r.spec.activation = s.at("activation").get<std::string>();
  r.spec.seed = s.at("seed").get<int>();
  r.spec.depth = s.at("depth").get<int>();
  r.spec.noise = s.at("noise").get<std::vector<double>>();
  r.spec.train = train_from_json(s.at("train"));
  r.status = j.at("status").get<std::string>();
  r.epochs = j.at("epochs").get<std::vector<EpochRecord>>();
  r.noise_acc = j.at("noise_acc").get<std::vector<double>>();
  r.resumed_at = j.at("resumed_at").get<int>();
  return r;
}

std::string results_csv(const std::vector<RunResult>& results) {
  std::ostringstream csv;
  csv << "point,x,activation,seed,status,epochs,test_acc,test_loss,train_acc,"
         "train_loss,seconds_per_epoch,resumed_at";
  const std::vector<double> noise =
      results.empty() ? std::vector<double>{} : results.front().spec.noise;
  for (double n : noise) csv << ",acc_noise_" << n;
  // Every metric of the runs' tasks (a suite mixes them), by name; a run
  // without one leaves it empty ("-").
  std::set<std::string> metrics;
  for (const RunResult& r : results) {
    if (r.epochs.empty()) continue;
    for (const auto& [name, value] : r.epochs.back().test_metrics) {
      metrics.insert(name);
    }
  }
  for (const std::string& m : metrics) csv << ",test_" << m;
  csv << "\n";
  for (const RunResult& r : results) {
    const EpochRecord last = r.epochs.empty() ? EpochRecord{} : r.epochs.back();
    csv << r.spec.point << ',' << r.spec.x << ',' << r.spec.activation << ','
        << r.spec.seed << ',' << r.status << ',' << r.epochs.size() << ','
        << fixed(r.final_acc(), 6) << ',' << fixed(last.test_loss, 6) << ','
        << fixed(last.train_acc, 6) << ',' << fixed(last.train_loss, 6) << ','
        << fixed(r.seconds_per_epoch(), 3) << ',' << r.resumed_at;
    for (size_t i = 0; i < noise.size(); ++i) {
      csv << ',' << fixed(i < r.noise_acc.size() ? r.noise_acc[i] : NAN, 6);
    }
    for (const std::string& m : metrics)
      csv << ',' << fixed(r.final_metric(m), 6);
    csv << "\n";
  }
  return csv.str();
}

}  // namespace mishlab
