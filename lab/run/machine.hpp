#pragma once

// What an experiment runs on, recorded in config.json and the report.

#include <c10/core/Device.h>

#include <string>

namespace mishlab {

// The device that --device names: cpu, cuda, or auto (cuda when there is
// one). Throws Error for cuda without a GPU.
c10::Device pick_device(const std::string& name);

std::string host_name();

// The BLAS that LibTorch's matrix products call: the library that provides
// sgemm_ in this process. Debian's LibTorch links libblas.so.3, which is the
// slow reference BLAS unless an optimized one (OpenBLAS) is installed.
struct BlasInfo {
  std::string name;     // "OpenBLAS", "reference BLAS", "BLIS", ... or "none"
  std::string library;  // the real path of the library file
  std::string config;   // OpenBLAS's build string (openblas_get_config)
  bool reference = false;
};
BlasInfo blas_info();
// The name for a library's real path: ".../openblas-openmp/libblas.so.3" is
// OpenBLAS, ".../blas/libblas.so.3" the reference BLAS.
std::string blas_name(const std::string& library);

}  // namespace mishlab
