#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace mishlab {

// Bytes from a file or from memory, inflated on the fly when they start with
// the gzip magic. Readers pull what they need, so memory follows the bytes a
// file really holds, never the sizes its header claims.
class ByteStream {
 public:
  static ByteStream open_file(const std::filesystem::path& path);
  static ByteStream from_memory(std::string_view bytes, std::string name);
  ByteStream(ByteStream&&) noexcept;
  ByteStream& operator=(ByteStream&&) noexcept;
  ~ByteStream();

  // Up to n bytes; 0 only at the end of the data. Throws Error on corrupt gzip.
  size_t read_some(uint8_t* out, size_t n);
  // Exactly n bytes, or Error "<name>: truncated <what>".
  void read_exact(uint8_t* out, size_t n, std::string_view what);
  bool at_end();
  const std::string& name() const;

 private:
  struct Impl;
  explicit ByteStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mishlab
