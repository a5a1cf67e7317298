#include "run/machine.hpp"

#include <dlfcn.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.hpp"

namespace mishlab {

c10::Device pick_device(const std::string& name) {
  const bool cuda = torch::cuda::is_available();
  if (name == "cuda" && !cuda) {
    throw Error("--device cuda: this LibTorch has no CUDA or sees no GPU");
  }
  return (name == "cuda" || (name == "auto" && cuda)) ? c10::Device(c10::kCUDA)
                                                      : c10::Device(c10::kCPU);
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

std::string blas_name(const std::string& library) {
  const std::string file = std::filesystem::path(library).filename().string();
  if (library.find("openblas") != std::string::npos) return "OpenBLAS";
  if (library.find("blis") != std::string::npos) return "BLIS";
  if (library.find("mkl") != std::string::npos) return "MKL";
  // Debian's alternatives: /usr/lib/<triplet>/blas/libblas.so.3 is the
  // reference implementation (netlib).
  if (library.find("/blas/") != std::string::npos ||
      file.rfind("libblas", 0) == 0) {
    return "reference BLAS";
  }
  return file;
}

BlasInfo blas_info() {
  BlasInfo info{"none", "", "", false};
  void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info where{};
  if (sgemm == nullptr || dladdr(sgemm, &where) == 0 ||
      where.dli_fname == nullptr) {
    return info;  // LibTorch built without an external BLAS (or MKL inside)
  }
  std::error_code ec;
  const std::filesystem::path real =
      std::filesystem::canonical(where.dli_fname, ec);
  info.library = ec ? where.dli_fname : real.string();
  info.name = blas_name(info.library);
  info.reference = info.name == "reference BLAS";
  using ConfigFn = char* (*)();
  if (auto* get_config = reinterpret_cast<ConfigFn>(
          dlsym(RTLD_DEFAULT, "openblas_get_config"));
      get_config != nullptr && info.name == "OpenBLAS") {
    info.config = get_config();
  }
  return info;
}

}  // namespace mishlab
