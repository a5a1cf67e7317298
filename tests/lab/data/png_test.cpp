// The PNG reader on every kind of file a segmentation folder may hold, and
// on broken ones.
#include "data/png.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.hpp"
#include "png_files.hpp"

namespace mishlab {
namespace {

const std::vector<uint8_t> kValues = {0, 1, 2, 255, 3, 1};  // 3 x 2

void expect_error(const std::string& bytes, const std::string& needle,
                  bool mask = true) {
  try {
    if (mask) {
      decode_png_indices(bytes, "m.png");
    } else {
      decode_png(bytes, "m.png");
    }
    ADD_FAILURE() << "no error for " << needle;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("m.png: ", 0), 0u) << what;
    EXPECT_NE(what.find(needle), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(Png, GreyMaskKeepsItsValues) {
  const IndexImage m = decode_png_indices(test::grey_png(3, 2, kValues), "m");
  EXPECT_EQ(m.width, 3);
  EXPECT_EQ(m.height, 2);
  EXPECT_EQ(m.pixels, kValues);
}

TEST(Png, PaletteMaskGivesTheIndicesNotTheColours) {
  const std::vector<uint8_t> idx = {0, 1, 2, 3, 2, 1};
  const std::string png =
      test::png_bytes(3, 2, SPNG_COLOR_TYPE_INDEXED, 8, idx, 4);
  EXPECT_EQ(decode_png_indices(png, "m").pixels, idx);
  // As an image, the palette's colours: entry i is (40 i, 0, 255 - 40 i).
  const RgbImage rgb = decode_png(png, "m");
  ASSERT_EQ(rgb.pixels.size(), 18u);
  EXPECT_EQ(rgb.pixels[3 * 3 + 0], 120);
  EXPECT_EQ(rgb.pixels[3 * 3 + 2], 135);
}

TEST(Png, ImagesOfAnyKindDecodeAsRgb) {
  const RgbImage grey = decode_png(test::grey_png(3, 2, kValues), "g");
  ASSERT_EQ(grey.pixels.size(), 18u);
  EXPECT_EQ(grey.pixels[9], 255);  // pixel 3 replicated over r, g, b
  EXPECT_EQ(grey.pixels[10], 255);
  const std::vector<uint8_t> rgb = {10, 20, 30, 40, 50, 60};
  EXPECT_EQ(
      decode_png(test::png_bytes(2, 1, SPNG_COLOR_TYPE_TRUECOLOR, 8, rgb), "c")
          .pixels,
      rgb);
  // 16-bit grey 0x1234 scales to 8 bits as 0x12.
  const uint16_t sample = 0x1234;
  std::vector<uint8_t> deep_bytes(2);
  std::memcpy(deep_bytes.data(), &sample, 2);
  const RgbImage deep = decode_png(
      test::png_bytes(1, 1, SPNG_COLOR_TYPE_GRAYSCALE, 16, deep_bytes), "d");
  EXPECT_EQ(deep.pixels, std::vector<uint8_t>({0x12, 0x12, 0x12}));
}

TEST(Png, MasksOtherThan8BitGreyOrPaletteAreRefused) {
  expect_error(
      test::png_bytes(1, 1, SPNG_COLOR_TYPE_GRAYSCALE, 16, {0x00, 0x01}),
      "8-bit greyscale or palette");
  expect_error(test::png_bytes(1, 1, SPNG_COLOR_TYPE_TRUECOLOR, 8, {1, 2, 3}),
               "colour type 2");
}

TEST(Png, TruncatedCorruptAndOtherFilesAreErrorsNamingTheFile) {
  const std::string png = test::grey_png(3, 2, kValues);
  ASSERT_FALSE(png.empty());
  for (const bool mask : {true, false}) {
    expect_error(png.substr(0, png.size() - 20), "not a readable PNG", mask);
    expect_error(png.substr(0, png.size() - 6), "not a readable PNG", mask);
    expect_error(png.substr(0, 30), "not a readable PNG", mask);
    std::string corrupt = png;
    corrupt[png.size() - 20] ^= 0x55;  // inside IDAT: its CRC fails
    expect_error(corrupt, "not a readable PNG", mask);
    expect_error("GIF89a, not a PNG at all", "not a readable PNG", mask);
    expect_error("", "not a readable PNG", mask);
  }
}

TEST(Png, EncodedFilesDecodeBack) {
  const std::vector<uint8_t> rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(decode_png(encode_png(2, 2, 3, rgb.data()), "e").pixels, rgb);
  EXPECT_EQ(decode_png_indices(encode_png(3, 2, 1, kValues.data()), "e").pixels,
            kValues);
}

}  // namespace
}  // namespace mishlab
