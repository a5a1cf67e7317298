// Scalar C ABI: the float64 reference, rounded once for float32.
#include "mish/mish.h"
#include "src/core/reference.h"

extern "C" {

float mish_f32(float x) { return static_cast<float>(mish::ref::Mish(x)); }
double mish_f64(double x) { return mish::ref::Mish(x); }
float mish_grad_f32(float x) {
  return static_cast<float>(mish::ref::MishGrad(x));
}
double mish_grad_f64(double x) { return mish::ref::MishGrad(x); }

}  // extern "C"
