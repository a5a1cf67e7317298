// One SGD step of a small CNN on real Fashion-MNIST batches, with ReLU,
// LibTorch's Mish and ours as the activation.
#include "train_bench.hpp"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

#include "fashion_mnist.hpp"
#include "mish/torch.hpp"

namespace mish::bench {
namespace {

constexpr int64_t kBatch = 128;
constexpr int64_t kBatches = 8;

using Activation = std::function<::torch::nn::AnyModule()>;

// conv-act-pool twice, then a hidden linear layer: 28x28 -> 10 classes.
::torch::nn::Sequential make_net(const Activation& activation) {
  namespace tnn = ::torch::nn;
  tnn::Sequential net;
  net->push_back(tnn::Conv2d(tnn::Conv2dOptions(1, 16, 3).padding(1)));
  net->push_back(activation());
  net->push_back(tnn::MaxPool2d(2));
  net->push_back(tnn::Conv2d(tnn::Conv2dOptions(16, 32, 3).padding(1)));
  net->push_back(activation());
  net->push_back(tnn::MaxPool2d(2));
  net->push_back(tnn::Flatten());
  net->push_back(tnn::Linear(32 * 7 * 7, 128));
  net->push_back(activation());
  net->push_back(tnn::Linear(128, 10));
  return net;
}

void train_step(benchmark::State& state, const Batch& data,
                const Activation& activation) {
  ::torch::manual_seed(0);
  ::torch::nn::Sequential net = make_net(activation);
  ::torch::optim::SGD optimizer(net->parameters(),
                                ::torch::optim::SGDOptions(0.01).momentum(0.9));
  int64_t batch = 0;
  for (auto _ : state) {
    const at::Tensor images = data.images.narrow(0, batch * kBatch, kBatch);
    const at::Tensor labels = data.labels.narrow(0, batch * kBatch, kBatch);
    batch = (batch + 1) % kBatches;
    optimizer.zero_grad();
    const at::Tensor loss =
        ::torch::nn::functional::cross_entropy(net->forward(images), labels);
    loss.backward();
    optimizer.step();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

std::string data_dir() {
  const char* dir = std::getenv("MISH_FASHION_MNIST");
  return dir ? dir : "/usr/share/datasets/fashion-mnist";
}

}  // namespace

void register_train_benchmarks() {
  static Batch data;
  try {
    data = read_fashion_mnist(data_dir(), kBatch * kBatches);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr,
                 "train_step benchmarks skipped: %s (install "
                 "dataset-fashion-mnist or set MISH_FASHION_MNIST)\n",
                 e.what());
    return;
  }
  const std::pair<const char*, Activation> activations[] = {
      {"relu", [] { return ::torch::nn::AnyModule(::torch::nn::ReLU()); }},
      {"torch_mish",
       [] { return ::torch::nn::AnyModule(::torch::nn::Mish()); }},
      {"mish", [] { return ::torch::nn::AnyModule(mish::nn::Mish()); }},
  };
  for (const auto& [name, activation] : activations) {
    benchmark::RegisterBenchmark(
        (std::string("train_step/") + name).c_str(),
        [activation = activation](benchmark::State& state) {
          train_step(state, data, activation);
        })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace mish::bench
