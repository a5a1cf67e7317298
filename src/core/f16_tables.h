// Tables over every binary16 input, for targets that convert binary16 in
// integer code (no F16C): there, reading a result costs less than converting
// an input and computing it. Built once, at first use (thread-safe).
#ifndef MISH_SRC_CORE_F16_TABLES_H_
#define MISH_SRC_CORE_F16_TABLES_H_

#include <stdint.h>

namespace mish::detail {

// mish(x) rounded once to binary16, indexed by x's bit pattern (128 KiB).
const uint16_t* F16MishTable();

// mish'(x) rounded to float32, indexed by x's bit pattern (256 KiB).
const float* F16GradTable();

// Every binary16 value as a float32, indexed by its bit pattern (256 KiB).
const float* F16ToFloatTable();

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_F16_TABLES_H_
