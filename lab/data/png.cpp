#include "data/png.hpp"

#include <spng.h>

#include <memory>

#include "common/error.hpp"

namespace mishlab {

namespace {

using Context = std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)>;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw Error(name + ": " + what);
}

void check(int rc, const std::string& name) {
  if (rc != 0)
    fail(name, std::string("not a readable PNG (") + spng_strerror(rc) + ")");
}

// A decoder over `bytes` whose header has been read and checked for size.
Context open(std::string_view bytes, const std::string& name, spng_ihdr* ihdr) {
  Context ctx(spng_ctx_new(0), spng_ctx_free);
  if (!ctx) throw Error(name + ": out of memory");
  // Metadata chunks are skipped, but a hostile file cannot make the decoder
  // keep megabytes of them either.
  check(spng_set_chunk_limits(ctx.get(), 1 << 24, 1 << 24), name);
  check(spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()), name);
  check(spng_get_ihdr(ctx.get(), ihdr), name);
  if (int64_t{ihdr->width} * ihdr->height > kMaxPngPixels) {
    fail(name, std::to_string(ihdr->width) + " x " +
                   std::to_string(ihdr->height) + " px is too large");
  }
  return ctx;
}

std::vector<uint8_t> decode(spng_ctx* ctx, int fmt, const std::string& name) {
  size_t size = 0;
  check(spng_decoded_image_size(ctx, fmt, &size), name);
  std::vector<uint8_t> out(size);
  check(spng_decode_image(ctx, out.data(), out.size(), fmt, 0), name);
  // The chunks after the image, up to IEND: a file cut after its pixel data
  // is truncated too.
  check(spng_decode_chunks(ctx), name);
  return out;
}

}  // namespace

RgbImage decode_png(std::string_view bytes, const std::string& name) {
  spng_ihdr ihdr{};
  Context ctx = open(bytes, name, &ihdr);
  RgbImage image;
  image.width = static_cast<int>(ihdr.width);
  image.height = static_cast<int>(ihdr.height);
  image.pixels = decode(ctx.get(), SPNG_FMT_RGB8, name);
  return image;
}

IndexImage decode_png_indices(std::string_view bytes, const std::string& name) {
  spng_ihdr ihdr{};
  Context ctx = open(bytes, name, &ihdr);
  const bool grey = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE;
  const bool palette = ihdr.color_type == SPNG_COLOR_TYPE_INDEXED;
  if (!(grey || palette) || ihdr.bit_depth != 8) {
    fail(name,
         "a mask must be an 8-bit greyscale or palette PNG (this one "
         "has colour type " +
             std::to_string(ihdr.color_type) + ", " +
             std::to_string(ihdr.bit_depth) + " bits)");
  }
  IndexImage image;
  image.width = static_cast<int>(ihdr.width);
  image.height = static_cast<int>(ihdr.height);
  // SPNG_FMT_PNG: the samples as stored, i.e. grey values or indices.
  image.pixels = decode(ctx.get(), SPNG_FMT_PNG, name);
  return image;
}

std::string encode_png(int width, int height, int channels,
                       const uint8_t* pixels) {
  Context ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  if (!ctx) throw Error("PNG encoder: out of memory");
  spng_ihdr ihdr{};
  ihdr.width = static_cast<uint32_t>(width);
  ihdr.height = static_cast<uint32_t>(height);
  ihdr.bit_depth = 8;
  ihdr.color_type = static_cast<uint8_t>(
      channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR);
  const std::string name = "PNG encoder";
  check(spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1), name);
  check(spng_set_ihdr(ctx.get(), &ihdr), name);
  const size_t size = static_cast<size_t>(width) * height * channels;
  check(spng_encode_image(ctx.get(), pixels, size, SPNG_FMT_PNG,
                          SPNG_ENCODE_FINALIZE),
        name);
  int rc = 0;
  size_t length = 0;
  std::unique_ptr<void, decltype(&free)> buffer(
      spng_get_png_buffer(ctx.get(), &length, &rc), free);
  check(rc, name);
  return std::string(static_cast<const char*>(buffer.get()), length);
}

}  // namespace mishlab
