#include "common/environment.hpp"

#include <cstdlib>

namespace mishlab {

Getenv process_environment() {
  return [](const char* name) { return std::getenv(name); };
}

}  // namespace mishlab
