// Built when zlib is missing: the gzipped Fashion-MNIST files cannot be read.
#include <cstdio>

#include "train_bench.hpp"

namespace mish::bench {

void register_train_benchmarks() {
  std::fprintf(stderr,
               "train_step benchmarks skipped: built without zlib, which "
               "reads the gzipped Fashion-MNIST files\n");
}

}  // namespace mish::bench
