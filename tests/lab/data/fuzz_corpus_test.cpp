// Runs the reader fuzz bodies over hostile inputs and seeded mutations of
// valid files: no crash, no escaping exception, no sanitizer report.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bodies.hpp"
#include "data_files.hpp"
#include "png_files.hpp"

namespace mishlab {
namespace {

std::vector<std::string> hostile_idx() {
  const std::string images = test::idx_images(4, 3, 3);
  return {
      "",
      std::string("\0", 1),
      std::string("\0\0\x08\x03", 4),                      // dims missing
      std::string("\0\0\x08\xff", 4),                      // 255 dims
      test::idx_bytes({0xffffffffu, 28, 28}, {}),          // billions of items
      test::idx_bytes({1, 0xffffffffu, 0xffffffffu}, {}),  // huge items
      test::idx_bytes({1, 0, 28}, {}),                     // empty items
      images.substr(0, images.size() - 2),                 // truncated
      images + std::string(1000, '\x07'),                  // trailing bytes
      test::gzip(images).substr(0, 20),                    // truncated gzip
      test::gzip(test::idx_bytes({0xffffffffu, 28, 28}, {})) +
          std::string(50, '\0'),
      test::gzip(
          test::idx_bytes({2000, 100, 100}, std::vector<uint8_t>(100000))),
      std::string("\x1f\x8b", 2),
      std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03garbage", 17),
  };
}

std::vector<std::string> mutations(const std::string& valid, int count,
                                   uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string m = valid;
    switch (rng() % 3) {
      case 0:
        for (int k = 0; k < 4; ++k)
          m[rng() % m.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:
        m.resize(rng() % m.size());
        break;
      default:
        m.insert(rng() % m.size(),
                 std::string(rng() % 16, static_cast<char>(rng())));
    }
    out.push_back(m);
  }
  return out;
}

void run_all(int (*body)(const uint8_t*, size_t),
             const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    EXPECT_EQ(body(reinterpret_cast<const uint8_t*>(in.data()), in.size()), 0);
  }
}

TEST(FuzzCorpus, IdxReaderSurvivesHostileFiles) {
  run_all(fuzz::idx_one, hostile_idx());
  run_all(fuzz::idx_one, mutations(test::idx_images(3, 4, 4), 500, 1));
  run_all(fuzz::idx_one,
          mutations(test::gzip(test::idx_labels(300, 10)), 500, 2));
}

TEST(FuzzCorpus, CifarReaderSurvivesHostileFiles) {
  run_all(fuzz::cifar_one, {"", "\x05", std::string(3073, '\x0a'),
                            test::cifar_bytes(2, true).substr(0, 3000),
                            test::gzip(test::cifar_bytes(3, false))});
  run_all(fuzz::cifar_one, mutations(test::cifar_bytes(3, false), 300, 3));
  run_all(fuzz::cifar_one, mutations(test::cifar_bytes(3, true), 300, 4));
}

TEST(FuzzCorpus, PngReaderSurvivesHostileFiles) {
  const std::string grey = test::grey_png(5, 4, std::vector<uint8_t>(20, 3));
  const std::string palette = test::png_bytes(4, 3, SPNG_COLOR_TYPE_INDEXED, 8,
                                              std::vector<uint8_t>(12, 1), 2);
  ASSERT_FALSE(grey.empty());
  ASSERT_FALSE(palette.empty());
  // A header claiming 2^31 x 2^31 px, with a valid CRC.
  std::string huge = grey;
  for (size_t i : {16U, 20U}) huge.replace(i, 4, "\x7f\xff\xff\xff");
  run_all(fuzz::png_one,
          {"", "\x89PNG\r\n\x1a\n", huge, grey.substr(0, grey.size() / 2)});
  run_all(fuzz::png_one, mutations(grey, 500, 5));
  run_all(fuzz::png_one, mutations(palette, 500, 6));
}

}  // namespace
}  // namespace mishlab
