#include "data/byte_stream.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "data_files.hpp"

namespace mishlab {
namespace {

std::string read_all(ByteStream& in) {
  std::string out;
  uint8_t buf[7];
  while (size_t n = in.read_some(buf, sizeof buf)) out.append(buf, buf + n);
  return out;
}

TEST(ByteStream, PlainBytesPassThrough) {
  ByteStream in = ByteStream::from_memory("hello, world", "mem");
  EXPECT_FALSE(in.at_end());
  EXPECT_EQ(read_all(in), "hello, world");
  EXPECT_TRUE(in.at_end());
}

TEST(ByteStream, GzipIsInflated) {
  const std::string raw(100000, 'x');
  ByteStream in = ByteStream::from_memory(test::gzip(raw), "mem.gz");
  EXPECT_EQ(read_all(in), raw);
}

TEST(ByteStream, ShortInputsWork) {
  ByteStream one = ByteStream::from_memory("a", "one");
  EXPECT_EQ(read_all(one), "a");
  ByteStream none = ByteStream::from_memory("", "none");
  EXPECT_TRUE(none.at_end());
}

TEST(ByteStream, TruncatedGzipIsAnError) {
  const std::string gz = test::gzip(std::string(5000, 'y'));
  ByteStream in =
      ByteStream::from_memory(gz.substr(0, gz.size() / 2), "cut.gz");
  EXPECT_THROW(read_all(in), Error);
}

TEST(ByteStream, CorruptGzipIsAnError) {
  std::string gz = test::gzip(std::string(5000, 'y'));
  for (size_t i = 10; i < gz.size(); i += 3) gz[i] = static_cast<char>(~gz[i]);
  ByteStream in = ByteStream::from_memory(gz, "bad.gz");
  EXPECT_THROW(read_all(in), Error);
}

TEST(ByteStream, ReadExactNamesWhatWasTruncated) {
  ByteStream in = ByteStream::from_memory("abc", "short");
  uint8_t buf[8];
  try {
    in.read_exact(buf, 8, "header");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "short: truncated header");
  }
}

TEST(ByteStream, MissingFileIsAnError) {
  EXPECT_THROW(ByteStream::open_file("/nonexistent/file"), Error);
}

}  // namespace
}  // namespace mishlab
