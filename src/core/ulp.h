// Error of a float32 result in units in the last place of the exact value:
// the measure used by the tests and by mish-accuracy.
#ifndef MISH_SRC_CORE_ULP_H_
#define MISH_SRC_CORE_ULP_H_

#include <cmath>

namespace mish {

// |got - want| over the float32 spacing at want (the subnormal spacing below
// FLT_MIN), so a correctly rounded result is within 0.5. A NaN or an infinity
// is exact only where want is the same (any NaN for NaN), else infinitely
// wrong.
inline double UlpError(float got, double want) {
  if (std::isnan(got) || std::isnan(want)) {
    return std::isnan(got) && std::isnan(want) ? 0.0 : INFINITY;
  }
  if (std::isinf(got) || std::isinf(want)) {
    return static_cast<double>(got) == want ? 0.0 : INFINITY;
  }
  const double a = std::fabs(want);
  const int e = a < 0x1p-126 ? -126 : std::ilogb(a);
  return std::fabs(static_cast<double>(got) - want) / std::ldexp(1.0, e - 23);
}

// The contract of every float32 kernel (docs/ACCURACY.md).
inline constexpr double kForwardMaxUlp = 4.0;
inline constexpr double kBackwardMaxUlp = 6.0;      // outside [-2, 0]
inline constexpr double kBackwardMaxAbs = 0x1p-22;  // inside [-2, 0]
inline bool InRootRegion(double x) { return x >= -2.0 && x <= 0.0; }

}  // namespace mish

#endif  // MISH_SRC_CORE_ULP_H_
