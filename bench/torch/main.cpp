// mish-bench-torch: our operator against LibTorch's own, same run, 2 threads.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "train_bench.hpp"

int main(int argc, char** argv) {
  // The figures are for 2 threads; OpenMP here starts with one.
  at::set_num_threads(2);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  mish::bench::register_train_benchmarks();
  benchmark::AddCustomContext("torch_threads",
                              std::to_string(at::get_num_threads()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
