#pragma once

namespace mishlab {

// The project's version ("0.1.0"), for config.json and --version.
const char* version();

}  // namespace mishlab
