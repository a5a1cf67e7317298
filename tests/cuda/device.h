// Device memory with guard elements, the skip rule and a parallel loop for
// the GPU tests.
#ifndef MISH_TESTS_CUDA_DEVICE_H_
#define MISH_TESTS_CUDA_DEVICE_H_

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace mish::test {

#define MISH_CUDA_OK(expr)                                              \
  do {                                                                  \
    const cudaError_t mish_err_ = (expr);                               \
    ASSERT_EQ(mish_err_, cudaSuccess) << cudaGetErrorString(mish_err_); \
  } while (0)

// Every test skips, with the reason, where no device can be used.
class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
      GTEST_SKIP() << "no CUDA device ("
                   << (err != cudaSuccess ? cudaGetErrorString(err)
                                          : "0 devices")
                   << "): GPU test skipped";
    }
  }
};

// n elements starting `offset` elements past a 256-byte boundary, between
// guard bytes that no kernel may touch.
template <class T>
class DeviceArray {
 public:
  static constexpr size_t kGuardBytes = 256;
  static constexpr unsigned char kGuard = 0xA5;

  explicit DeviceArray(size_t n, size_t offset = 0)
      : n_(n), first_(kGuardBytes + offset * sizeof(T)) {
    bytes_ = first_ + n * sizeof(T) + kGuardBytes;
    if (cudaMalloc(&base_, bytes_) != cudaSuccess ||
        cudaMemset(base_, kGuard, bytes_) != cudaSuccess) {
      base_ = nullptr;
    }
  }
  ~DeviceArray() { cudaFree(base_); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  bool ok() const { return base_ != nullptr; }
  T* data() { return reinterpret_cast<T*>(static_cast<char*>(base_) + first_); }

  cudaError_t Upload(const T* host) {
    return cudaMemcpy(data(), host, n_ * sizeof(T), cudaMemcpyHostToDevice);
  }
  std::vector<T> Download() {
    std::vector<T> out(n_);
    if (cudaMemcpy(out.data(), data(), n_ * sizeof(T),
                   cudaMemcpyDeviceToHost) != cudaSuccess) {
      out.clear();
    }
    return out;
  }
  // True if every byte outside the n elements still holds the guard.
  bool GuardsIntact() {
    std::vector<unsigned char> all(bytes_);
    if (cudaMemcpy(all.data(), base_, bytes_, cudaMemcpyDeviceToHost) !=
        cudaSuccess) {
      return false;
    }
    const size_t end = first_ + n_ * sizeof(T);
    const auto guard = [](unsigned char b) { return b == kGuard; };
    return std::all_of(all.begin(), all.begin() + first_, guard) &&
           std::all_of(all.begin() + end, all.end(), guard);
  }

 private:
  size_t n_;
  size_t first_;
  size_t bytes_ = 0;
  void* base_ = nullptr;
};

// fn(begin, end) over [0, n) on all hardware threads.
template <class Fn>
void ParallelFor(size_t n, Fn fn) {
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t chunk = (n + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (size_t begin = 0; begin < n; begin += chunk) {
    pool.emplace_back(fn, begin, std::min(n, begin + chunk));
  }
  for (auto& t : pool) t.join();
}

}  // namespace mish::test

#endif  // MISH_TESTS_CUDA_DEVICE_H_
