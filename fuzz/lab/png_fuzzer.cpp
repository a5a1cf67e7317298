#include "bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return mishlab::fuzz::png_one(data, size);
}
