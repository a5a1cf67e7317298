// Folders of images and PNG masks: read and resized, and every bad file an
// error naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.hpp"
#include "data/png.hpp"
#include "data/segmentation.hpp"
#include "data_files.hpp"
#include "png_files.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

class SegmentationFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mishlab-segfolder-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    // a.png: left half class 1, right half class 2, one ignored pixel;
    // b.jpg: all class 0.
    std::vector<uint8_t> mask(4 * 4);
    for (int k = 0; k < 16; ++k) mask[k] = k % 4 < 2 ? 1 : 2;
    mask[5] = kIgnoreIndex;
    std::vector<uint8_t> grey(16, 90);
    test::write(root_ / "images/a.png", test::grey_png(4, 4, grey));
    test::write(root_ / "masks/a.png", test::grey_png(4, 4, mask));
    test::write(root_ / "images/b.jpg",
                encode_jpeg({4, 4, std::vector<uint8_t>(48, 30)}));
    test::write(root_ / "masks/b.png",
                test::grey_png(4, 4, std::vector<uint8_t>(16, 0)));
  }
  void TearDown() override { fs::remove_all(root_); }

  void expect_error(const std::string& needle) {
    try {
      read_segmentation_folder(root_, 8, kNoLimit);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << e.what();
    }
  }
  fs::path root_;
};

TEST_F(SegmentationFolder, ReadsAndResizesImagesAndMasks) {
  const SegmentationSet s = read_segmentation_folder(root_, 8, kNoLimit);
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.channels, 3);
  EXPECT_EQ(s.height, 8);
  ASSERT_EQ(s.masks.size(), 2u * 64);
  // Nearest neighbour: output (u, v) takes input (u / 2, v / 2).
  EXPECT_EQ(s.masks[0], 1);
  EXPECT_EQ(s.masks[7], 2);
  EXPECT_EQ(s.masks[2 * 8 + 2], kIgnoreIndex);  // input pixel (1, 1) = 5
  EXPECT_EQ(s.pixels[0], 90);
  EXPECT_EQ(s.largest_class, std::vector<int>({2, 0}));
  EXPECT_EQ(check_classes({&s}, 0), 3);
  EXPECT_EQ(check_classes({&s}, 5), 5);
  EXPECT_EQ(read_segmentation_folder(root_, 8, 1).count, 1);
}

TEST_F(SegmentationFolder, AClassIndexNotBelowTheClassesNamesItsMask) {
  const SegmentationSet s = read_segmentation_folder(root_, 8, kNoLimit);
  try {
    check_classes({&s}, 2);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), ((root_ / "masks/a.png").string() +
                            ": class index 2 is not below the number of "
                            "classes (2)")
                               .c_str());
  }
}

TEST_F(SegmentationFolder, AMissingMaskIsAnError) {
  fs::remove(root_ / "masks/b.png");
  expect_error((root_ / "masks/b.png").string() + ": missing");
}

TEST_F(SegmentationFolder, AMaskOfAnotherSizeIsAnError) {
  test::write(root_ / "masks/b.png",
              test::grey_png(3, 4, std::vector<uint8_t>(12, 0)));
  expect_error((root_ / "masks/b.png").string() +
               ": mask is 3 x 4 px, its image 4 x 4");
}

TEST_F(SegmentationFolder, TruncatedOrCorruptFilesAreErrorsNamingThem) {
  const std::string mask = test::grey_png(4, 4, std::vector<uint8_t>(16, 0));
  test::write(root_ / "masks/b.png", mask.substr(0, mask.size() / 2));
  expect_error((root_ / "masks/b.png").string() + ": not a readable PNG");
  test::write(root_ / "masks/b.png", mask);
  test::write(root_ / "images/a.png", "not a png");
  expect_error((root_ / "images/a.png").string() + ": not a readable PNG");
}

}  // namespace
}  // namespace mishlab
