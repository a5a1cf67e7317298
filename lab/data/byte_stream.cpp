#include "data/byte_stream.hpp"

#include <zlib.h>

#include <array>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace mishlab {

struct ByteStream::Impl {
  std::string name;
  std::unique_ptr<std::istream> raw;
  bool gzip = false;
  bool gzip_done = false;
  z_stream zs{};
  std::array<uint8_t, 1 << 16> in_buf{};
  // One byte of look-ahead so at_end() works on plain and gzip data alike.
  int peeked = -1;

  ~Impl() {
    if (gzip) inflateEnd(&zs);
  }

  size_t raw_read(uint8_t* out, size_t n) {
    raw->read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return static_cast<size_t>(raw->gcount());
  }

  size_t inflate_some(uint8_t* out, size_t n) {
    if (gzip_done) return 0;
    zs.next_out = out;
    zs.avail_out = static_cast<uInt>(n);
    while (zs.avail_out == n) {
      if (zs.avail_in == 0) {
        zs.next_in = in_buf.data();
        zs.avail_in = static_cast<uInt>(raw_read(in_buf.data(), in_buf.size()));
        if (zs.avail_in == 0) throw Error(name + ": truncated gzip data");
      }
      const int rc = inflate(&zs, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        gzip_done = true;
        break;
      }
      if (rc != Z_OK) {
        throw Error(name + ": corrupt gzip data (" +
                    (zs.msg != nullptr ? zs.msg : "inflate failed") + ")");
      }
    }
    return n - zs.avail_out;
  }

  size_t read_some(uint8_t* out, size_t n) {
    if (n == 0) return 0;
    size_t got = 0;
    if (peeked >= 0) {
      out[got++] = static_cast<uint8_t>(peeked);
      peeked = -1;
      if (got == n) return got;
    }
    return got + (gzip ? inflate_some(out + got, n - got)
                       : raw_read(out + got, n - got));
  }
};

ByteStream::ByteStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  std::array<uint8_t, 2> magic{};
  const size_t n = impl_->raw_read(magic.data(), magic.size());
  impl_->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (impl_->gzip) {
    if (inflateInit2(&impl_->zs, 16 + MAX_WBITS) != Z_OK) {
      throw Error(impl_->name + ": cannot start gzip decoder");
    }
    impl_->zs.next_in = impl_->in_buf.data();
    impl_->zs.avail_in = 2;
    impl_->in_buf[0] = magic[0];
    impl_->in_buf[1] = magic[1];
    return;
  }
  // Not gzip: push the bytes back by re-reading from the start.
  impl_->raw->clear();
  impl_->raw->seekg(0);
}

ByteStream ByteStream::open_file(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->name = path.string();
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) throw Error("cannot open " + path.string());
  impl->raw = std::move(file);
  return ByteStream(std::move(impl));
}

ByteStream ByteStream::from_memory(std::string_view bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->raw = std::make_unique<std::istringstream>(
      std::string(bytes), std::ios::in | std::ios::binary);
  return ByteStream(std::move(impl));
}

ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream& ByteStream::operator=(ByteStream&&) noexcept = default;
ByteStream::~ByteStream() = default;

size_t ByteStream::read_some(uint8_t* out, size_t n) {
  return impl_->read_some(out, n);
}

void ByteStream::read_exact(uint8_t* out, size_t n, std::string_view what) {
  size_t done = 0;
  while (done < n) {
    const size_t got = read_some(out + done, n - done);
    if (got == 0) {
      throw Error(impl_->name + ": truncated " + std::string(what));
    }
    done += got;
  }
}

bool ByteStream::at_end() {
  if (impl_->peeked >= 0) return false;
  uint8_t byte = 0;
  if (impl_->read_some(&byte, 1) == 0) return true;
  impl_->peeked = byte;
  return false;
}

const std::string& ByteStream::name() const { return impl_->name; }

}  // namespace mishlab
