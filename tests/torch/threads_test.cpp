// The kernels' at::parallel_for uses torch's threads. This test gets its
// compile flags only from mish::torch, as a user's project does, and
// includes src/torch's guard: built without OpenMP under an OpenMP ATen, it
// does not compile; built with it, the ranges must land on two threads.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "parallel.hpp"

namespace {

TEST(Threads, ParallelForRunsOnTorchsThreads) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  at::parallel_for(0, 2, 1, [&](int64_t, int64_t) {
    const std::lock_guard<std::mutex> lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  at::set_num_threads(before);
  EXPECT_EQ(seen.size(), 2u)
      << "at::parallel_for ran on one thread with at::set_num_threads(2)";
}

}  // namespace
