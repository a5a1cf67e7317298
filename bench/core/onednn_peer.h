// oneDNN's eltwise_mish, the CPU peer of mish-bench-cpu, behind an interface
// without oneDNN's headers: LibTorch may ship other versions of them
// (PyPI's torch does), so only onednn_peer.cc sees oneDNN's.
#ifndef MISH_BENCH_CORE_ONEDNN_PEER_H_
#define MISH_BENCH_CORE_ONEDNN_PEER_H_

#include <stddef.h>

#include <memory>
#include <string>

namespace mish::bench {

// Caps oneDNN's instruction set at a Highway target's (AVX3, AVX3_NO_BF16,
// AVX2, SSE4); false for a target it has no cap for.
bool LimitOneDnn(const char* target);

// oneDNN's version, "major.minor".
std::string OneDnnVersion();

// Forward and backward eltwise_mish over n floats of the given buffers, on
// one thread.
class OneDnnMish {
 public:
  OneDnnMish(float* x, float* y, float* dy, float* dx, size_t n);
  ~OneDnnMish();
  void Forward();
  void Backward();

 private:
  struct Primitives;
  std::unique_ptr<Primitives> p_;
};

}  // namespace mish::bench

#endif  // MISH_BENCH_CORE_ONEDNN_PEER_H_
