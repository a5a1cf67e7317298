#include "src/core/f16_tables.h"

#include "src/core/half.h"
#include "src/core/reference.h"

namespace mish::detail {
namespace {

struct MishTable {
  uint16_t y[65536];
  MishTable() {
    for (uint32_t h = 0; h < 65536; ++h) {
      y[h] = half::DoubleToF16(
          ref::Mish(half::F16ToFloat(static_cast<uint16_t>(h))));
    }
  }
};

struct GradTable {
  float g[65536];
  GradTable() {
    for (uint32_t h = 0; h < 65536; ++h) {
      g[h] = static_cast<float>(
          ref::MishGrad(half::F16ToFloat(static_cast<uint16_t>(h))));
    }
  }
};

struct ToFloatTable {
  float f[65536];
  ToFloatTable() {
    for (uint32_t h = 0; h < 65536; ++h) {
      f[h] = half::F16ToFloat(static_cast<uint16_t>(h));
    }
  }
};

}  // namespace

const uint16_t* F16MishTable() {
  static const MishTable table;
  return table.y;
}

const float* F16GradTable() {
  static const GradTable table;
  return table.g;
}

const float* F16ToFloatTable() {
  static const ToFloatTable table;
  return table.f;
}

}  // namespace mish::detail
