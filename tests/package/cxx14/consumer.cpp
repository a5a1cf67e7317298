// Uses the installed C++ header and library.
#include <mish/mish.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  std::vector<float> x = {-1.0f, 0.0f, 1.0f}, y(3);
  mish::forward(x, y);
  const bool ok = std::fabs(y[2] - 0.86509836f) < 1e-6f &&
                  mish::grad(0.0) == 0.6 && y[1] == 0.0f;
  std::printf("consumer (C++): mish(1) = %.8f on %s\n", y[2],
              mish::cpu_target());
  return ok ? 0 : 1;
}
