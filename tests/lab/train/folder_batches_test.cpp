#include "train/folder_batches.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "common/error.hpp"
#include "data/image_transform.hpp"
#include "data/jpeg.hpp"

namespace mishlab {
namespace {
namespace fs = std::filesystem;

// Class k is a noisy image whose channel k is bright: the label can be read
// back from the pixels after any crop.
RgbImage class_image(int cls, int width, int height, std::mt19937& rng) {
  std::uniform_int_distribution<int> noise(-10, 10);
  RgbImage image{width, height, {}};
  image.pixels.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    const int base = static_cast<int>(i % 3) == cls ? 200 : 40;
    image.pixels[i] = static_cast<uint8_t>(base + noise(rng));
  }
  return image;
}

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class ImageFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mish-recipe-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    std::mt19937 rng(7);
    const char* names[] = {"apple", "bean", "cherry"};
    for (int c = 0; c < 3; ++c) {
      for (int i = 0; i < 5; ++i) {
        const auto jpeg =
            encode_jpeg(class_image(c, 40 + 9 * i, 60 - 5 * i, rng));
        write(
            root_ / "train" / names[c] / ("img" + std::to_string(i) + ".JPEG"),
            jpeg);
        if (i < 2) {
          write(root_ / "val" / names[c] / ("v" + std::to_string(i) + ".jpg"),
                jpeg);
        }
      }
    }
    write(root_ / "train" / "apple" / "notes.txt", "not an image");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
};

TEST_F(ImageFolderTest, ScansClassesInOrderAndIgnoresOtherFiles) {
  const auto train = scan_image_folder(root_ / "train");
  EXPECT_EQ(train.classes,
            (std::vector<std::string>{"apple", "bean", "cherry"}));
  ASSERT_EQ(train.files.size(), 15u);
  EXPECT_EQ(train.labels[0], 0);
  EXPECT_EQ(train.labels[14], 2);
  const auto val = scan_image_folder(root_ / "val", train.classes);
  EXPECT_EQ(val.files.size(), 6u);
}

TEST_F(ImageFolderTest, RejectsMissingFoldersAndUnknownClasses) {
  EXPECT_THROW(scan_image_folder(root_ / "nowhere"), Error);
  fs::create_directories(root_ / "empty" / "x");
  EXPECT_THROW(scan_image_folder(root_ / "empty"), Error);
  EXPECT_THROW(scan_image_folder(root_ / "val", {"apple", "bean"}), Error);
}

TEST_F(ImageFolderTest, TrainBatchesAreCroppedShuffledAndReproducible) {
  auto folder = scan_image_folder(root_ / "train");
  LoaderOptions options;
  options.size = 16;
  options.batch_size = 4;
  options.seed = 3;
  ImageFolderLoader one(folder, options);
  options.workers = 3;
  options.prefetch = 2;
  ImageFolderLoader three(folder, options);
  EXPECT_EQ(one.batches(), 3);  // 15 images: the partial batch is dropped
  one.start_epoch(0);
  three.start_epoch(0);
  std::vector<int64_t> seen;
  for (int b = 0; b < 3; ++b) {
    auto x = one.next();
    auto y = three.next();
    ASSERT_TRUE(x && y);
    EXPECT_EQ(x->images.sizes(), (std::vector<int64_t>{4, 3, 16, 16}));
    EXPECT_TRUE(torch::equal(x->images, y->images));
    EXPECT_TRUE(torch::equal(x->labels, y->labels));
    const auto brightest = x->images.to(torch::kFloat).mean({2, 3}).argmax(1);
    EXPECT_TRUE(torch::equal(brightest, x->labels));
    for (int i = 0; i < 4; ++i) seen.push_back(x->labels[i].item<int64_t>());
  }
  EXPECT_FALSE(one.next());
  EXPECT_FALSE(std::is_sorted(seen.begin(), seen.end()));
  one.start_epoch(1);  // another shuffle
  auto first = one.next();
  three.start_epoch(0);
  EXPECT_FALSE(torch::equal(first->images, three.next()->images));
}

TEST_F(ImageFolderTest, ValidationKeepsOrderAndThePartialBatch) {
  auto folder = scan_image_folder(root_ / "val");
  LoaderOptions options;
  options.size = 24;
  options.batch_size = 4;
  options.train = false;
  ImageFolderLoader loader(folder, options);
  EXPECT_EQ(loader.batches(), 2);
  loader.start_epoch(0);
  EXPECT_TRUE(torch::equal(loader.next()->labels,
                           torch::tensor({0, 0, 1, 1}, torch::kInt64)));
  EXPECT_EQ(loader.next()->labels.size(0), 2);
  EXPECT_FALSE(loader.next());
}

TEST_F(ImageFolderTest, CorruptAndTruncatedFilesFailNamingTheFile) {
  std::mt19937 rng(1);
  const auto good = encode_jpeg(class_image(1, 50, 50, rng));
  const auto truncated = root_ / "train" / "bean" / "truncated.jpg";
  write(truncated, good.substr(0, good.size() / 2));
  const auto garbage = root_ / "train" / "bean" / "garbage.jpg";
  write(garbage, std::string(300, '\x17'));
  auto folder = scan_image_folder(root_ / "train");
  LoaderOptions options;
  options.size = 16;
  options.batch_size = 17;
  options.train = false;
  {
    ImageFolderLoader loader(folder, options);
    loader.start_epoch(0);
    try {
      loader.next();
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("garbage.jpg"), std::string::npos)
          << e.what();
    }
  }
  options.skip_bad = true;
  ImageFolderLoader loader(folder, options);
  ::testing::internal::CaptureStderr();  // before the workers start
  loader.start_epoch(0);
  EXPECT_EQ(loader.next()->labels.size(0), 15);
  const auto log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("truncated.jpg"), std::string::npos) << log;
  EXPECT_NE(log.find("garbage.jpg"), std::string::npos) << log;
  EXPECT_THROW(decode_jpeg(good.substr(0, good.size() / 2), "t.jpg"), Error);
}

TEST(Jpeg, RejectsNonJpegAndHugeHeadersBeforeAllocating) {
  EXPECT_THROW(decode_jpeg("GIF89a....", "x.jpg"), Error);
  EXPECT_THROW(decode_jpeg("", "x.jpg"), Error);
  std::mt19937 rng(2);
  auto jpeg = encode_jpeg(class_image(0, 16, 16, rng));
  const auto sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpeg.replace(sof + 5, 4,
               std::string("\xF0\x00\xF0\x00", 4));  // height, width 61440
  try {
    decode_jpeg(jpeg, "huge.jpg");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("huge.jpg: JPEG of 61440x61440"),
              std::string::npos)
        << e.what();
  }
}

TEST(Jpeg, DecodesAtTheSmallestScaleThatCoversMinSide) {
  std::mt19937 rng(3);
  const auto jpeg = encode_jpeg(class_image(2, 400, 300, rng));
  const auto full = decode_jpeg(jpeg, "a.jpg");
  EXPECT_EQ(full.width, 400);
  EXPECT_EQ(full.height, 300);
  const auto small = decode_jpeg(jpeg, "a.jpg", 100);
  EXPECT_EQ(small.width, 150);  // 3/8 scale: 1/4 would give 75 px rows
  EXPECT_EQ(small.height, 113);
  EXPECT_EQ(decode_jpeg(jpeg, "a.jpg", 1000).width, 400);  // never upscales
}

// What the fuzz target does, over truncations and bit flips of a real file:
// decoding fails with Error or yields an image both crops can sample.
TEST(Jpeg, SurvivesTruncationsAndBitFlips) {
  std::mt19937 rng(4);
  const auto good = encode_jpeg(class_image(0, 24, 20, rng));
  const auto exercise = [](const std::string& bytes, uint64_t seed) {
    try {
      const auto image = decode_jpeg(bytes, "m.jpg", seed % 2 ? 8 : 0);
      std::mt19937_64 crop_rng(seed);
      uint8_t out[3 * 8 * 8];
      resample(image, random_resized_crop(image.width, image.height, crop_rng),
               8, true, out);
      resample(image, center_crop(image.width, image.height, 12, 8), 8, false,
               out);
    } catch (const Error&) {
    }
  };
  for (size_t n = 0; n <= good.size(); n += 3) exercise(good.substr(0, n), n);
  std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
  for (uint64_t i = 0; i < 300; ++i) {
    auto bad = good;
    for (int flips = 0; flips < 3; ++flips) {
      bad[pos(rng)] ^= static_cast<char>(1 << (i % 8));
    }
    exercise(bad, i);
  }
}

}  // namespace
}  // namespace mishlab
