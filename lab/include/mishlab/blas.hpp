#pragma once

// The BLAS that LibTorch's matrix products call, recorded in config.json and
// the report: Debian's LibTorch links libblas.so.3, which is the slow
// reference BLAS unless an optimized one (OpenBLAS) is installed.

#include <string>

namespace mishlab {

struct BlasInfo {
  std::string name;     // "OpenBLAS", "reference BLAS", "BLIS", ... or "none"
  std::string library;  // the real path of the library that provides sgemm_
  std::string config;   // OpenBLAS's build string (openblas_get_config)
  bool reference = false;
};
BlasInfo blas_info();

// The name for a library's real path: ".../openblas-openmp/libblas.so.3" is
// OpenBLAS, ".../blas/libblas.so.3" the reference BLAS.
std::string blas_name(const std::string& library);

}  // namespace mishlab
