#include <cctype>
#include <cmath>
#include <numeric>
#include <sstream>

#include "mishlab/report.hpp"
#include "mishlab/runner.hpp"

namespace mishlab {

std::string RunSpec::id() const {
  std::string id = (point.empty() ? "" : point + "-") + activation + "-s" +
                   std::to_string(seed);
  for (char& c : id) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '=' ||
                      c == '.' || c == '-' || c == '_';
    if (!safe) c = '_';
  }
  return id;
}

RunSpec base_spec(const Options& o) {
  RunSpec s;
  s.model = o.model;
  s.init = o.init;
  s.optimizer = o.optimizer;
  s.schedule = o.schedule;
  s.lr = o.lr;
  s.momentum = o.momentum;
  s.weight_decay = o.weight_decay;
  s.batch_size = o.batch_size;
  s.epochs = o.epochs;
  return s;
}

double RunResult::final_acc() const {
  return ok() && !epochs.empty() ? epochs.back().test_acc : NAN;
}

double RunResult::seconds_per_epoch() const {
  if (epochs.empty()) return NAN;
  double total = 0;
  for (const EpochRecord& e : epochs) total += e.seconds;
  return total / static_cast<double>(epochs.size());
}

std::string results_csv(const std::vector<RunResult>& results) {
  std::ostringstream csv;
  csv << "point,x,activation,seed,status,epochs,test_acc,test_loss,train_acc,"
         "train_loss,seconds_per_epoch,resumed_at";
  const std::vector<double> noise =
      results.empty() ? std::vector<double>{} : results.front().spec.noise;
  for (double n : noise) csv << ",acc_noise_" << n;
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
    csv << "\n";
  }
  return csv.str();
}

}  // namespace mishlab
