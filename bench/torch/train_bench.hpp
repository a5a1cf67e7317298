#ifndef MISH_BENCH_TORCH_TRAIN_BENCH_HPP_
#define MISH_BENCH_TORCH_TRAIN_BENCH_HPP_

namespace mish::bench {

// Registers the training-step benchmarks, or says why they cannot run.
void register_train_benchmarks();

}  // namespace mish::bench

#endif  // MISH_BENCH_TORCH_TRAIN_BENCH_HPP_
