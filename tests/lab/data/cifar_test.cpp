#include <gtest/gtest.h>

#include "common/error.hpp"
#include "data/images.hpp"
#include "data_files.hpp"

namespace mishlab {
namespace {

ImageSet parse(const std::string& bytes, CifarKind kind,
               uint64_t limit = kNoLimit) {
  ByteStream in = ByteStream::from_memory(bytes, "test.bin");
  ImageSet set;
  read_cifar(in, kind, limit, set);
  return set;
}

TEST(Cifar, Reads10And100) {
  const ImageSet ten = parse(test::cifar_bytes(12, false), CifarKind::k10);
  EXPECT_EQ(ten.count, 12);
  EXPECT_EQ(ten.channels, 3);
  EXPECT_EQ(ten.labels[11], 1);
  EXPECT_EQ(ten.pixels.size(), 12u * 3072);
  EXPECT_EQ(ten.pixels[3072], 7);
  const ImageSet hundred = parse(test::cifar_bytes(120, true), CifarKind::k100);
  EXPECT_EQ(hundred.labels[110], 10);
}

TEST(Cifar, LimitStopsEarly) {
  EXPECT_EQ(parse(test::cifar_bytes(12, false), CifarKind::k10, 5).count, 5);
}

TEST(Cifar, TruncatedRecordIsAnError) {
  const std::string b = test::cifar_bytes(2, false);
  EXPECT_THROW(parse(b.substr(0, b.size() - 1), CifarKind::k10), Error);
}

TEST(Cifar, LabelsOutOfRangeAreErrors) {
  // CIFAR-100 records read as CIFAR-10 put pixels where labels should be.
  EXPECT_THROW(parse(test::cifar_bytes(20, true), CifarKind::k10), Error);
  std::string b = test::cifar_bytes(1, false);
  b[0] = 10;
  EXPECT_THROW(parse(b, CifarKind::k10), Error);
}

TEST(DataFolder, LoadsCifarFolders) {
  const auto dir = std::filesystem::temp_directory_path() / "mishlab_cifar";
  std::filesystem::remove_all(dir);
  test::write(dir / "cifar-10-batches-bin/data_batch_1.bin",
              test::cifar_bytes(6, false));
  test::write(dir / "cifar-10-batches-bin/data_batch_2.bin",
              test::cifar_bytes(6, false));
  test::write(dir / "cifar-10-batches-bin/test_batch.bin",
              test::cifar_bytes(4, false));
  ImageData d = load_image_data(dir, 8, kNoLimit);
  EXPECT_EQ(d.format, "cifar10");
  EXPECT_EQ(d.train.count, 8);
  EXPECT_EQ(d.test.count, 4);
  std::filesystem::remove_all(dir);
  test::write(dir / "train.bin", test::cifar_bytes(200, true));
  test::write(dir / "test.bin", test::cifar_bytes(10, true));
  d = load_image_data(dir, kNoLimit, kNoLimit);
  EXPECT_EQ(d.format, "cifar100");
  EXPECT_EQ(d.classes, 100);
  std::filesystem::remove(dir / "test.bin");
  EXPECT_THROW(load_image_data(dir, kNoLimit, kNoLimit), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mishlab
