// Reads the first images and labels of Fashion-MNIST from its gzipped IDX
// files (the Debian package dataset-fashion-mnist).
#ifndef MISH_BENCH_TORCH_FASHION_MNIST_HPP_
#define MISH_BENCH_TORCH_FASHION_MNIST_HPP_

#include <torch/torch.h>

#include <string>

namespace mish::bench {

struct Batch {
  at::Tensor images;  // float32 [n, 1, 28, 28], normalised
  at::Tensor labels;  // int64 [n]
};

// The first `count` training examples under `dir`; throws std::runtime_error
// with the reason when the files are missing or malformed.
Batch read_fashion_mnist(const std::string& dir, int64_t count);

}  // namespace mish::bench

#endif  // MISH_BENCH_TORCH_FASHION_MNIST_HPP_
