#pragma once

#include <stdexcept>

namespace mishlab {

// A problem the user can fix (bad flag, bad file): main prints its message on
// one line and exits non-zero. Anything else is a bug.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mishlab
