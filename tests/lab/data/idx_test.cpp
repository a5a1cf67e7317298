#include <gtest/gtest.h>

#include "common/error.hpp"
#include "data/images.hpp"
#include "data_files.hpp"

namespace mishlab {
namespace {

IdxArray parse(const std::string& bytes, uint64_t limit = kNoLimit) {
  ByteStream in = ByteStream::from_memory(bytes, "test.idx");
  return read_idx(in, limit);
}

std::string error_of(const std::string& bytes) {
  try {
    parse(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Idx, ReadsImages) {
  const IdxArray a = parse(test::idx_images(3, 2, 4));
  EXPECT_EQ(a.dims, (std::vector<uint32_t>{3, 2, 4}));
  ASSERT_EQ(a.data.size(), 24u);
  EXPECT_EQ(a.data[8], 1);  // image 1, pixel 0
}

TEST(Idx, ReadsGzippedData) {
  const IdxArray a = parse(test::gzip(test::idx_labels(1000, 10)));
  ASSERT_EQ(a.data.size(), 1000u);
  EXPECT_EQ(a.data[999], 9);
}

TEST(Idx, LimitKeepsTheFirstItems) {
  const IdxArray a = parse(test::idx_images(10, 2, 2), 4);
  EXPECT_EQ(a.dims[0], 4u);
  EXPECT_EQ(a.data.size(), 16u);
}

TEST(Idx, RejectsHostileHeaders) {
  EXPECT_NE(error_of("\x01\x02\x08\x01"), "");
  EXPECT_NE(error_of(std::string("\0\0\x08", 3)), "");
  EXPECT_NE(error_of(std::string("\0\0\x0d\x01\0\0\0\x01", 8)).find("type 13"),
            std::string::npos);
  EXPECT_NE(error_of(std::string("\0\0\x08\x09", 4)).find("dimensions"),
            std::string::npos);
  EXPECT_NE(error_of(std::string("\0\0\x08\x00", 4)).find("dimensions"),
            std::string::npos);
  // Items of 2^32 bytes are refused before any allocation.
  EXPECT_NE(error_of(test::idx_bytes({1, 65536, 65536}, {})).find("16 MiB"),
            std::string::npos);
}

TEST(Idx, BillionsOfItemsInATinyFileIsTruncation) {
  const std::string msg =
      error_of(test::idx_bytes({4000000000u, 28, 28}, {1, 2}));
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Idx, TruncatedAndOverlongDataAreErrors) {
  std::string full = test::idx_images(3, 2, 2);
  EXPECT_NE(error_of(full.substr(0, full.size() - 1)).find("truncated"),
            std::string::npos);
  EXPECT_NE(error_of(full + "x").find("more data"), std::string::npos);
}

TEST(Idx, PairsMustAgree) {
  ByteStream img = ByteStream::from_memory(test::idx_images(5, 2, 2), "img");
  ByteStream lab = ByteStream::from_memory(test::idx_labels(4, 10), "lab");
  EXPECT_THROW(read_idx_pair(img, lab), Error);
  ByteStream img2 = ByteStream::from_memory(test::idx_labels(4, 10), "img");
  ByteStream lab2 = ByteStream::from_memory(test::idx_labels(4, 10), "lab");
  EXPECT_THROW(read_idx_pair(img2, lab2), Error);
}

TEST(DataFolder, LoadsMnistStyleFolders) {
  const auto dir =
      std::filesystem::temp_directory_path() / "mishlab_idx_folder";
  for (bool gz : {false, true}) {
    std::filesystem::remove_all(dir);
    test::write_mnist_folder(dir, 50, 20, gz);
    const ImageData d = load_image_data(dir, 30, kNoLimit);
    EXPECT_EQ(d.format, "idx");
    EXPECT_EQ(d.train.count, 30);
    EXPECT_EQ(d.test.count, 20);
    EXPECT_EQ(d.train.height, 8);
    EXPECT_EQ(d.classes, 10);
  }
  std::filesystem::remove_all(dir);
}

// One label beyond the classes would make Fashion-MNIST a 201-class problem.
TEST(DataFolder, LabelsBeyondTheClassesNameTheFileAndRecord) {
  const auto dir =
      std::filesystem::temp_directory_path() / "mishlab_idx_labels";
  std::filesystem::remove_all(dir);
  test::write_mnist_folder(dir, 50, 20, false);
  std::vector<uint8_t> labels(50, 3);
  labels[17] = 200;
  test::write(dir / "train-labels-idx1-ubyte", test::idx_bytes({50}, labels));
  try {
    load_image_data(dir, kNoLimit, kNoLimit);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("train-labels-idx1-ubyte: record 17 has label 200"),
              std::string::npos)
        << what;
  }
  // The first 17 records are fine.
  EXPECT_EQ(load_image_data(dir, 17, kNoLimit).train.count, 17);
  std::filesystem::remove_all(dir);
}

TEST(DataFolder, MissingOrEmptyFoldersAreClearErrors) {
  EXPECT_THROW(load_image_data("/nonexistent", kNoLimit, kNoLimit), Error);
  const auto dir = std::filesystem::temp_directory_path() / "mishlab_empty";
  std::filesystem::create_directories(dir);
  try {
    load_image_data(dir, kNoLimit, kNoLimit);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no data set"), std::string::npos);
  }
  test::write(dir / "train-images-idx3-ubyte", test::idx_images(2, 8, 8));
  EXPECT_THROW(load_image_data(dir, kNoLimit, kNoLimit), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mishlab
