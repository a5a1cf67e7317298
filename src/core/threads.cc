// Multi-threaded C ABI: splits large arrays into contiguous chunks, one per
// thread. Engines with their own pools call the single-threaded functions.
#include "src/core/threads.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

#include "mish/mish.h"

namespace mish::detail {

// Below this many elements per thread, starting a thread costs more than it
// saves (~20 us to start vs ~20 us of work at 3 G elements/s).
constexpr size_t kMinPerThread = size_t{1} << 16;

size_t ThreadsFor(size_t n, int threads) {
  // More threads than the hardware runs only add start-up and switching.
  const size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t t =
      threads > 0 ? std::min(static_cast<size_t>(threads), hardware) : hardware;
  return std::max(size_t{1}, std::min(t, n / kMinPerThread));
}

}  // namespace mish::detail

namespace {

// Chunks start on 4 KiB boundaries (relative to the array start) so threads
// never share a cache line of output.
constexpr size_t kChunkAlign = 1024;

template <class Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  const size_t t = mish::detail::ThreadsFor(n, threads);
  if (t == 1) {
    fn(size_t{0}, n);
    return;
  }
  size_t chunk = (n + t - 1) / t;
  chunk = (chunk + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
  std::vector<std::thread> pool;
  size_t begin = chunk;  // the caller takes [0, chunk)
  try {
    for (; begin < n; begin += chunk) {
      pool.emplace_back(fn, begin, std::min(n, begin + chunk));
    }
  } catch (const std::system_error&) {
    fn(begin, n);  // no more threads available: finish here
  }
  fn(size_t{0}, std::min(n, chunk));
  for (std::thread& th : pool) th.join();
}

}  // namespace

extern "C" {

void mish_forward_f32_mt(const float* x, float* y, size_t n, int threads) {
  ParallelFor(n, threads, [=](size_t b, size_t e) {
    mish_forward_f32(x + b, y + b, e - b);
  });
}

void mish_backward_f32_mt(const float* x, const float* dy, float* dx, size_t n,
                          int threads) {
  ParallelFor(n, threads, [=](size_t b, size_t e) {
    mish_backward_f32(x + b, dy + b, dx + b, e - b);
  });
}

}  // extern "C"
