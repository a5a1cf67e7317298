#pragma once

#include <functional>

namespace mishlab {

// Reads an environment variable (nullptr when unset). The launchers of
// clusters (torchrun, srun, Slurm job arrays) describe a process through its
// environment; tests pass their own.
using Getenv = std::function<const char*(const char*)>;
Getenv process_environment();

}  // namespace mishlab
