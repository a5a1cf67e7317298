// The multi-threaded entry points give exactly the single-threaded results.
#include "src/core/threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "mish/mish.h"

namespace {

TEST(Threads, MatchSingleThreadedBitForBit) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 5.0f);
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{65536 * 2 + 7},
                   size_t{65536 * 9 + 123}}) {
    std::vector<float> x(n), dy(n);
    for (float& v : x) v = dist(rng);
    for (float& v : dy) v = dist(rng);
    std::vector<float> y1(n), dx1(n);
    mish_forward_f32(x.data(), y1.data(), n);
    mish_backward_f32(x.data(), dy.data(), dx1.data(), n);
    for (int threads : {-1, 0, 1, 2, 3, 8}) {
      std::vector<float> y(n, -1.0f), dx(n, -1.0f);
      mish_forward_f32_mt(x.data(), y.data(), n, threads);
      mish_backward_f32_mt(x.data(), dy.data(), dx.data(), n, threads);
      EXPECT_EQ(y, y1) << "n=" << n << " threads=" << threads;
      EXPECT_EQ(dx, dx1) << "n=" << n << " threads=" << threads;
    }
    std::vector<float> inplace = x;
    mish_forward_f32_mt(inplace.data(), inplace.data(), n, 3);
    EXPECT_EQ(inplace, y1);
  }
}

TEST(Threads, NeverMoreThanTheHardwareRuns) {
  const size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t huge = size_t{1} << 40;
  EXPECT_EQ(mish::detail::ThreadsFor(huge, 1000), hardware);
  EXPECT_EQ(mish::detail::ThreadsFor(huge, 0), hardware);
  EXPECT_EQ(mish::detail::ThreadsFor(huge, -5), hardware);
  EXPECT_EQ(mish::detail::ThreadsFor(huge, 1), 1u);
  EXPECT_EQ(mish::detail::ThreadsFor(0, 1000), 1u);
  EXPECT_EQ(mish::detail::ThreadsFor(1000, 1000), 1u);
}

}  // namespace
