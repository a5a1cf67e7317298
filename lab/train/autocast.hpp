// bfloat16 autocast on CUDA for the forward pass (the backward follows the
// types the forward recorded), as torch.autocast("cuda", torch.bfloat16).
#pragma once

#include <c10/core/ScalarType.h>

namespace mishlab {

class CudaBf16Autocast {
 public:
  CudaBf16Autocast();
  ~CudaBf16Autocast();
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool was_enabled_;
  c10::ScalarType was_dtype_;
};

}  // namespace mishlab
