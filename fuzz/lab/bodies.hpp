#pragma once

// The bodies of the reader fuzz targets. libFuzzer calls them from the
// *_fuzzer.cpp entry points (MISH_FUZZ builds); tests/lab runs them over a
// corpus of hostile inputs in every build, sanitizers or not.

#include <cstddef>
#include <cstdint>

namespace mishlab::fuzz {

// IDX bytes (plain or gzip) through read_idx, whole and with a limit.
int idx_one(const uint8_t* data, size_t size);
// CIFAR-10 and CIFAR-100 records through read_cifar.
int cifar_one(const uint8_t* data, size_t size);
// PNG bytes as an image and as a mask (decode_png, decode_png_indices).
int png_one(const uint8_t* data, size_t size);

}  // namespace mishlab::fuzz
