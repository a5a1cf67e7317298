#include "common/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace mishlab {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path,
                       int error) {
  throw Error(what + " " + path.string() + ": " + std::strerror(error));
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view contents) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("cannot write", path, errno);
  int error = 0;
  for (size_t done = 0; done < contents.size() && error == 0;) {
    const ssize_t n =
        ::write(fd, contents.data() + done, contents.size() - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      error = errno;
    }
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(tmp.c_str());
    fail("cannot write", path, error);
  }
}

bool create_file_once(const fs::path& path, std::string_view contents) {
  char host[64] = {};
  gethostname(host, sizeof host - 1);
  const fs::path mine =
      path.string() + "." + host + "." + std::to_string(::getpid()) + ".tmp";
  write_file_atomic(mine, contents);
  const bool created = ::link(mine.c_str(), path.c_str()) == 0;
  const int error = errno;
  ::unlink(mine.c_str());
  if (!created && error != EEXIST) fail("cannot write", path, error);
  return created;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open", path, errno);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) fail("cannot read", path, errno);
  return s.str();
}

void make_folder(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    throw Error("cannot create folder " + path.string() + ": " + ec.message());
  if (!fs::is_directory(path, ec)) {
    throw Error(path.string() + " is not a folder");
  }
}

std::string timestamp_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &local);
  return buf;
}

}  // namespace mishlab
