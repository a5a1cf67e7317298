#include "common/version.hpp"

namespace mishlab {

// Defined here only, so that every other file compiles with the same macros
// (and shares the precompiled LibTorch header).
const char* version() { return MISHLAB_VERSION; }

}  // namespace mishlab
