// Forward and backward over 1M elements: ours against LibTorch's own mish.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "mish/torch.hpp"

namespace {

constexpr int64_t kElements = int64_t{1} << 20;

using Forward = at::Tensor (*)(const at::Tensor&);
using Backward = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

at::Tensor input(at::ScalarType type) {
  torch::manual_seed(0);
  return (at::randn({kElements}) * 4).to(type);
}

void forward(benchmark::State& state, Forward f, at::ScalarType type) {
  const at::Tensor x = input(type);
  for (auto _ : state) benchmark::DoNotOptimize(f(x));
  state.SetItemsProcessed(state.iterations() * kElements);
}

void backward(benchmark::State& state, Backward f, at::ScalarType type) {
  const at::Tensor x = input(type);
  const at::Tensor dy = at::randn_like(x);
  for (auto _ : state) benchmark::DoNotOptimize(f(dy, x));
  state.SetItemsProcessed(state.iterations() * kElements);
}

at::Tensor torch_mish(const at::Tensor& x) { return at::mish(x); }
at::Tensor torch_mish_backward(const at::Tensor& dy, const at::Tensor& x) {
  return at::mish_backward(dy, x);
}

BENCHMARK_CAPTURE(forward, f32 / mish, mish::torch::mish, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, f32 / torch, torch_mish, at::kFloat)->UseRealTime();
BENCHMARK_CAPTURE(backward, f32 / mish, mish::torch::mish_backward, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, f32 / torch, torch_mish_backward, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, bf16 / mish, mish::torch::mish, at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, bf16 / torch, torch_mish, at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, bf16 / mish, mish::torch::mish_backward,
                  at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, bf16 / torch, torch_mish_backward, at::kBFloat16)
    ->UseRealTime();

}  // namespace
