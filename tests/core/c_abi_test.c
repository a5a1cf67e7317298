/* The C ABI from C: compiles as C and gives the documented values. */
#include <math.h>
#include <stdio.h>

#include "mish/mish.h"

/* The fused batch norm + Mish passes on 2 images of 2 channels of 2 pixels,
 * NCHW: channel 1's scale 2 and shift 1 give z = 2x + 1. */
static int batch_norm_mish_ok(void) {
  const float x[8] = {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, -0.5f, -0.5f};
  const float dy[8] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  const float scale[2] = {1.0f, 2.0f}, shift[2] = {0.0f, 1.0f};
  const float mean[2] = {0.0f, 0.0f}, ones[2] = {1.0f, 1.0f};
  const float zeros[2] = {0.0f, 0.0f};
  const mish_bn_shape shape = {2, 2, 2, 0};
  mish_bn_channels ch = {0};
  float y[8], dx[8];
  double sum[2], sum_sq[2];
  ch.scale = scale;
  ch.shift = shift;
  ch.mean = mean;
  ch.g_dz = ones;
  ch.g_xc = zeros;
  ch.g_0 = zeros;
  if (mish_bn_statistics_f32(x, mean, shape, sum, sum_sq) != 0 ||
      sum[0] != 10.0 || sum[1] != 4.0 || sum_sq[1] != 13.5 ||
      mish_bn_forward_f32(x, NULL, ch, y, shape) != 0 ||
      fabsf(y[1] - mish_f32(1.0f)) > 1e-6f ||
      fabsf(y[2] - mish_f32(5.0f)) > 4e-6f || y[6] != 0.0f ||
      mish_bn_backward_sums_f32(dy, x, NULL, ch, shape, sum, sum_sq, NULL) !=
          0 ||
      mish_bn_backward_f32(dy, x, NULL, ch, dx, NULL, shape) != 0 ||
      fabsf(dx[0] - 0.6f) > 1e-6f || dx[7] != 0.6f) {
    return 0;
  }
  /* Refused: no shift. y keeps its values. */
  ch.shift = NULL;
  return mish_bn_forward_f32(x, NULL, ch, y, shape) != 0 && y[7] == 0.0f;
}

int main(void) {
  float x[3] = {0.0f, 1.0f, -INFINITY};
  float y[3];
  mish_forward_f32(x, y, 3);
  if (y[0] != 0.0f || fabsf(y[1] - 0.86509836f) > 1e-6f || y[2] != 0.0f ||
      !signbit(y[2]) || mish_grad_f32(0.0f) != 0.6f || !batch_norm_mish_ok()) {
    fprintf(stderr, "unexpected results from the C ABI\n");
    return 1;
  }
  printf("C ABI ok, target %s\n", mish_cpu_target());
  return 0;
}
