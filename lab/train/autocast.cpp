#include "train/autocast.hpp"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace mishlab {
namespace {

// LibTorch 2.4 replaced the CUDA-only calls with per-device ones (and
// deprecated the old names).
#if TORCH_VERSION_MAJOR > 2 || \
    (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void set_enabled(bool on) { at::autocast::set_autocast_enabled(at::kCUDA, on); }
c10::ScalarType dtype() { return at::autocast::get_autocast_dtype(at::kCUDA); }
void set_dtype(c10::ScalarType t) {
  at::autocast::set_autocast_dtype(at::kCUDA, t);
}
#else
bool enabled() { return at::autocast::is_enabled(); }
void set_enabled(bool on) { at::autocast::set_enabled(on); }
c10::ScalarType dtype() { return at::autocast::get_autocast_gpu_dtype(); }
void set_dtype(c10::ScalarType t) { at::autocast::set_autocast_gpu_dtype(t); }
#endif

}  // namespace

CudaBf16Autocast::CudaBf16Autocast()
    : was_enabled_(enabled()), was_dtype_(dtype()) {
  set_enabled(true);
  set_dtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

CudaBf16Autocast::~CudaBf16Autocast() {
  // The cast weights are cached while any autocast region is open.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(was_enabled_);
  set_dtype(was_dtype_);
}

}  // namespace mishlab
