#include "run/machine.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace mishlab {
namespace {

TEST(Machine, NamesDebiansBlasAlternatives) {
  EXPECT_EQ(blas_name("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"),
            "OpenBLAS");
  EXPECT_EQ(blas_name("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"),
            "reference BLAS");
  EXPECT_EQ(blas_name("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"),
            "BLIS");
}

TEST(Machine, FindsTheBlasLibTorchCalls) {
  const BlasInfo b = blas_info();
  if (b.name == "none") GTEST_SKIP() << "this LibTorch has no external BLAS";
  EXPECT_TRUE(std::filesystem::exists(b.library)) << b.library;
  EXPECT_EQ(b.reference, b.name == "reference BLAS");
  if (b.name == "OpenBLAS") {
    EXPECT_FALSE(b.config.empty());
  }
}

}  // namespace
}  // namespace mishlab
