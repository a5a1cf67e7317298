#pragma once

// PNG files of every kind a mask or image folder may hold, written with
// libspng: greyscale, RGB, palette and 16-bit.

#include <spng.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mishlab::test {

// color_type: SPNG_COLOR_TYPE_*; `samples` as stored (16-bit samples in
// host order, as libspng takes them);
// `palette` entries for SPNG_COLOR_TYPE_INDEXED.
inline std::string png_bytes(int width, int height, uint8_t color_type,
                             uint8_t bit_depth,
                             const std::vector<uint8_t>& samples,
                             int palette = 0) {
  std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(
      spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<uint32_t>(width);
  ihdr.height = static_cast<uint32_t>(height);
  ihdr.bit_depth = bit_depth;
  ihdr.color_type = color_type;
  spng_set_ihdr(ctx.get(), &ihdr);
  if (palette > 0) {
    spng_plte plte{};
    plte.n_entries = static_cast<uint32_t>(palette);
    for (int i = 0; i < palette; ++i) {
      plte.entries[i] = {static_cast<uint8_t>(i * 40), 0,
                         static_cast<uint8_t>(255 - i * 40), 0};
    }
    spng_set_plte(ctx.get(), &plte);
  }
  spng_encode_image(ctx.get(), samples.data(), samples.size(), SPNG_FMT_PNG,
                    SPNG_ENCODE_FINALIZE);
  size_t length = 0;
  int error = 0;
  std::unique_ptr<void, decltype(&free)> buffer(
      spng_get_png_buffer(ctx.get(), &length, &error), free);
  return error ? std::string()
               : std::string(static_cast<const char*>(buffer.get()), length);
}

// An 8-bit greyscale mask.
inline std::string grey_png(int width, int height,
                            const std::vector<uint8_t>& values) {
  return png_bytes(width, height, SPNG_COLOR_TYPE_GRAYSCALE, 8, values);
}

}  // namespace mishlab::test
