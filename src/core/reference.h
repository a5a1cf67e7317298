// The reference Mish in float64: the accuracy yardstick for every fast path
// and the implementation behind the scalar C ABI (mish_f32, mish_f64, ...).
#ifndef MISH_SRC_CORE_REFERENCE_H_
#define MISH_SRC_CORE_REFERENCE_H_

#include <cmath>

namespace mish::ref {

// Above this, 2x/(n+2) is below half an ulp of x: mish(x) = x, mish'(x) = 1.
inline constexpr double kLinearFrom = 40.0;
// Below this, e^x is subnormal in float64 while x e^x may not be: form the
// product in long double (wider exponent range on x86 and Arm), round once.
inline constexpr double kTailBelow = -700.0;

// mish(x) = x * n / (n + 2), n = e^x (e^x + 2): one exp, no cancellation.
inline double Mish(double x) {
  if (std::isnan(x)) return x;
  if (x > kLinearFrom) return x;
  if (x < kTailBelow) {  // n / (n + 2) = e^x to float64 precision here
    if (x < -2000.0) return -0.0;  // underflows; also keeps -inf from NaN
    const long double xl = x;
    return static_cast<double>(xl * std::exp(xl));
  }
  const double e = std::exp(x);
  const double n = e * (e + 2.0);
  return x * n / (n + 2.0);
}

// mish'(x) = n/(n+2) + 4 x e^x (1 + e^x) / (n+2)^2.
inline double MishGrad(double x) {
  if (std::isnan(x)) return x;
  if (x > kLinearFrom) return 1.0;
  if (x < kTailBelow) {  // mish'(x) = (1 + x) e^x to float64 precision
    if (x < -2000.0) return 0.0;
    const long double xl = x;
    return static_cast<double>((1.0L + xl) * std::exp(xl));
  }
  const double e = std::exp(x);
  const double n = e * (e + 2.0);
  const double d = n + 2.0;
  return n / d + 4.0 * x * e * (1.0 + e) / (d * d);
}

}  // namespace mish::ref

#endif  // MISH_SRC_CORE_REFERENCE_H_
