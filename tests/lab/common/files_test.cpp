// Atomic writes when the disk fills up or the folder is missing: an Error
// naming the file, no temporary file left, the old contents intact.
#include "common/files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "common/error.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

fs::path test_dir() {
  const fs::path dir = fs::temp_directory_path() /
                       ("mishlab_files_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Files, WritesAndReplacesAtomically) {
  const fs::path dir = test_dir();
  write_file_atomic(dir / "a.txt", "one");
  write_file_atomic(dir / "a.txt", "two");
  EXPECT_EQ(read_file(dir / "a.txt"), "two");
  EXPECT_FALSE(fs::exists(dir / "a.txt.tmp"));
  fs::remove_all(dir);
}

// /dev/full fails every write with ENOSPC: the temporary file pointing there
// stands for a full disk.
TEST(Files, ADiskFullWriteNamesTheFileAndCleansUp) {
  const fs::path dir = test_dir();
  write_file_atomic(dir / "a.txt", "old");
  fs::create_symlink("/dev/full", dir / "a.txt.tmp");
  const std::string what =
      error_of([&] { write_file_atomic(dir / "a.txt", "new contents"); });
  EXPECT_EQ(what, "cannot write " + (dir / "a.txt").string() +
                      ": No space left on device");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "a.txt.tmp")));
  EXPECT_EQ(read_file(dir / "a.txt"), "old");
  fs::remove_all(dir);
}

TEST(Files, MissingFoldersAndFilesInTheWayAreErrors) {
  const fs::path dir = test_dir();
  EXPECT_NE(error_of([&] {
              write_file_atomic(dir / "no/a.txt", "x");
            }).find((dir / "no/a.txt").string()),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_file(dir / "missing"); }).find("missing"),
            std::string::npos);
  write_file_atomic(dir / "file", "x");
  EXPECT_NE(error_of([&] {
              make_folder(dir / "file" / "sub");
            }).find((dir / "file" / "sub").string()),
            std::string::npos);
  make_folder(dir / "a/b");
  EXPECT_TRUE(fs::is_directory(dir / "a/b"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mishlab
