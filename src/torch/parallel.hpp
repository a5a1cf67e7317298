// at::parallel_for for the CPU kernels, and the guard that it is parallel.
// With ATen's OpenMP backend, at::parallel_for is a header template around
// `#pragma omp parallel`: compiled without OpenMP, every range runs on the
// calling thread, silently. cmake/MishDeps.cmake adds the flags.
#ifndef MISH_SRC_TORCH_PARALLEL_HPP_
#define MISH_SRC_TORCH_PARALLEL_HPP_

#include <ATen/Config.h>
#include <ATen/Parallel.h>

#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
#error \
    "ATen's parallel backend is OpenMP: build with OpenMP (-fopenmp), or at::parallel_for runs on one thread"
#endif

#endif  // MISH_SRC_TORCH_PARALLEL_HPP_
