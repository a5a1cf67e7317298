// Forward and backward over 1M elements: ours against LibTorch's own mish.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "mish/torch/ops.hpp"

namespace {

constexpr int64_t kElements = int64_t{1} << 20;

using Forward = at::Tensor (*)(const at::Tensor&);
using Backward = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

at::Tensor input(at::ScalarType type) {
  torch::manual_seed(0);
  return (at::randn({kElements}) * 4).to(type);
}

// A peer may lack the dtype (LibTorch 1.13 has no bfloat16 mish on the CPU):
// one trial call first, reported as a skip.
template <class F>
void run(benchmark::State& state, const F& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    state.SkipWithError(e.what_without_backtrace());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(f());
  state.SetItemsProcessed(state.iterations() * kElements);
}

void forward(benchmark::State& state, Forward f, at::ScalarType type) {
  const at::Tensor x = input(type);
  run(state, [&] { return f(x); });
}

void backward(benchmark::State& state, Backward f, at::ScalarType type) {
  const at::Tensor x = input(type);
  const at::Tensor dy = at::randn_like(x);
  run(state, [&] { return f(dy, x); });
}

at::Tensor torch_mish(const at::Tensor& x) { return at::mish(x); }
at::Tensor torch_mish_backward(const at::Tensor& dy, const at::Tensor& x) {
  return at::mish_backward(dy, x);
}

// What a LibTorch 1.13 user does for bfloat16: compute in float32.
at::Tensor torch_mish_via_f32(const at::Tensor& x) {
  return at::mish(x.to(at::kFloat)).to(x.scalar_type());
}
at::Tensor torch_mish_backward_via_f32(const at::Tensor& dy,
                                       const at::Tensor& x) {
  return at::mish_backward(dy.to(at::kFloat), x.to(at::kFloat))
      .to(x.scalar_type());
}

BENCHMARK_CAPTURE(forward, f32_mish, mish::torch::mish, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, f32_torch, torch_mish, at::kFloat)->UseRealTime();
BENCHMARK_CAPTURE(backward, f32_mish, mish::torch::mish_backward, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, f32_torch, torch_mish_backward, at::kFloat)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, bf16_mish, mish::torch::mish, at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, bf16_torch, torch_mish, at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(forward, bf16_torch_via_f32, torch_mish_via_f32,
                  at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, bf16_mish, mish::torch::mish_backward,
                  at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, bf16_torch, torch_mish_backward, at::kBFloat16)
    ->UseRealTime();
BENCHMARK_CAPTURE(backward, bf16_torch_via_f32, torch_mish_backward_via_f32,
                  at::kBFloat16)
    ->UseRealTime();

}  // namespace
