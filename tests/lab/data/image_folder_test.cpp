#include "data/image_folder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

class ImageFolderScan : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mishlab_image_folder_" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
  }
  fs::path root_;
};

TEST_F(ImageFolderScan, AnEmptyTrainingClassIsAnErrorNotAClass) {
  touch(root_ / "train/cat/1.jpg");
  fs::create_directories(root_ / "train/dog");
  try {
    scan_image_folder(root_ / "train");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dog: class folder without"),
              std::string::npos)
        << e.what();
  }
  // In validation an empty class only adds no examples.
  fs::create_directories(root_ / "val/dog");
  touch(root_ / "val/cat/2.jpg");
  const ImageFolder val = scan_image_folder(root_ / "val", {"cat", "dog"});
  EXPECT_EQ(val.files.size(), 1u);
  EXPECT_EQ(val.classes.size(), 2u);
}

TEST_F(ImageFolderScan, LimitsKeepEveryClass) {
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 10; ++i) {
      touch(root_ / "train" / ("c" + std::to_string(c)) /
            (std::to_string(i) + ".jpg"));
    }
  }
  const ImageFolder all = scan_image_folder(root_ / "train");
  const ImageFolder six = spread_subset(all, 6);
  ASSERT_EQ(six.files.size(), 6u);
  EXPECT_EQ(six.labels, (std::vector<int64_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(spread_subset(all, 0).files.size(), 30u);
  EXPECT_EQ(spread_subset(all, 100).files.size(), 30u);
  EXPECT_FALSE(is_image_folder(root_));
  fs::create_directories(root_ / "val");
  EXPECT_TRUE(is_image_folder(root_));
}

}  // namespace
}  // namespace mishlab
