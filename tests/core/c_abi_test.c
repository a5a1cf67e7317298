/* The C ABI from C: compiles as C and gives the documented values. */
#include <math.h>
#include <stdio.h>

#include "mish/mish.h"

int main(void) {
  float x[3] = {0.0f, 1.0f, -INFINITY};
  float y[3];
  mish_forward_f32(x, y, 3);
  if (y[0] != 0.0f || fabsf(y[1] - 0.86509836f) > 1e-6f || y[2] != 0.0f ||
      !signbit(y[2]) || mish_grad_f32(0.0f) != 0.6f) {
    fprintf(stderr, "unexpected results from the C ABI\n");
    return 1;
  }
  printf("C ABI ok, target %s\n", mish_cpu_target());
  return 0;
}
