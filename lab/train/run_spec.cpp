#include "train/run_spec.hpp"

#include <cctype>

namespace mishlab {

std::string RunSpec::id() const {
  std::string id = (point.empty() ? "" : point + "-") + activation + "-s" +
                   std::to_string(seed);
  for (char& c : id) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '=' ||
                      c == '.' || c == '-' || c == '_';
    if (!safe) c = '_';
  }
  return id;
}

}  // namespace mishlab
