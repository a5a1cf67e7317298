// Fused bias + Mish against bias-add then Mish on the CPU (the sum rounded
// to float32, the Mish in float64), in both layouts, for shapes that take
// every bias path, with unaligned and in-place arrays.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "mish/mish.h"
#include "mish/mish_cuda.h"
#include "tests/cuda/accuracy.h"
#include "tests/cuda/api.h"
#include "tests/cuda/device.h"

namespace mish::test {
namespace {

template <class Api>
class CudaBias : public GpuTest {};
using Types = ::testing::Types<F32Api, Bf16Api, F16Api>;
TYPED_TEST_SUITE(CudaBias, Types);

// [outer, c, hw]; the rows layout is hw = 1.
struct Shape {
  size_t outer, c, hw;
};

template <class Api, class T = typename Api::T>
void CheckShape(const Shape& s, bool rows, size_t offset, size_t bias_offset,
                bool in_place) {
  SCOPED_TRACE(::testing::Message()
               << Api::kName << (rows ? " rows " : " nchw ") << s.outer << "x"
               << s.c << "x" << s.hw << " offset " << offset << " bias offset "
               << bias_offset << (in_place ? " in place" : ""));
  const size_t n = s.outer * s.c * s.hw;
  std::mt19937 rng(static_cast<uint32_t>(n + offset));
  std::uniform_real_distribution<float> xs(-12.0f, 12.0f), bs(-3.0f, 3.0f);
  std::vector<T> x(n), bias(s.c);
  for (auto& v : x) v = Api::FromFloat(xs(rng));
  for (auto& v : bias) v = Api::FromFloat(bs(rng));
  DeviceArray<T> dx_in(n, offset), db(s.c, bias_offset), dy(n, offset);
  ASSERT_TRUE(dx_in.ok() && db.ok() && dy.ok());
  MISH_CUDA_OK(dx_in.Upload(x.data()));
  MISH_CUDA_OK(db.Upload(bias.data()));
  T* out = in_place ? dx_in.data() : dy.data();
  if (rows) {
    MISH_CUDA_OK(
        Api::kBiasRows(dx_in.data(), db.data(), out, s.outer, s.c, nullptr));
  } else {
    MISH_CUDA_OK(Api::kBiasNchw(dx_in.data(), db.data(), out, s.outer, s.c,
                                s.hw, nullptr));
  }
  const std::vector<T> got = in_place ? dx_in.Download() : dy.Download();
  ASSERT_EQ(got.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const float sum = static_cast<float>(Api::ToDouble(x[i])) +
                      static_cast<float>(Api::ToDouble(bias[(i / s.hw) % s.c]));
    ASSERT_TRUE(Api::WithinBound(got[i], mish_f64(sum)))
        << "at " << i << ": x + bias = " << sum << ", got "
        << Api::ToDouble(got[i]) << ", want " << mish_f64(sum);
  }
  EXPECT_TRUE(dx_in.GuardsIntact() && dy.GuardsIntact());
}

TYPED_TEST(CudaBias, MatchesBiasAddThenMish) {
  // Rows: c a multiple of every vector width, or not; nchw: hw a multiple of
  // every width, of some, or none.
  const Shape row_shapes[] = {{1, 1, 1},    {3, 5, 1},    {7, 64, 1},
                              {5, 1000, 1}, {2, 8, 1},    {64, 12, 1},
                              {33, 17, 1},  {300, 256, 1}};
  const Shape nchw_shapes[] = {{2, 3, 49},   {2, 5, 64},   {1, 3, 1},
                               {3, 4, 7},    {2, 16, 8},   {1, 1, 1000},
                               {4, 32, 196}, {2, 64, 3136}};
  for (const size_t offset : {0, 1}) {
    for (const size_t bias_offset : {0, 1}) {
      for (const bool in_place : {false, true}) {
        for (const Shape& s : row_shapes) {
          CheckShape<TypeParam>(s, true, offset, bias_offset, in_place);
        }
        for (const Shape& s : nchw_shapes) {
          CheckShape<TypeParam>(s, false, offset, bias_offset, in_place);
        }
      }
    }
  }
}

}  // namespace
}  // namespace mish::test
