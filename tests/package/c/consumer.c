/* Uses the installed C header and library, found through pkg-config. */
#include <math.h>
#include <mish/mish.h>
#include <stdio.h>

int main(void) {
  float x[2] = {1.0f, -INFINITY}, y[2];
  mish_forward_f32(x, y, 2);
  printf("consumer (C): mish(1) = %.8f\n", y[0]);
  return fabsf(y[0] - 0.86509836f) < 1e-6f && y[1] == 0.0f ? 0 : 1;
}
