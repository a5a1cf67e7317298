#pragma once

// Tiny IDX and CIFAR files generated in the tests, plain or gzipped.

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mishlab::test {

inline std::string idx_bytes(const std::vector<uint32_t>& dims,
                             const std::vector<uint8_t>& data) {
  std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      s += static_cast<char>(d >> shift & 0xff);
    }
  }
  s.append(data.begin(), data.end());
  return s;
}

// n images of h x w with pixel (i, k) = (i + k) % 256, labels i % classes.
inline std::string idx_images(uint32_t n, uint32_t h, uint32_t w) {
  std::vector<uint8_t> px;
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < h * w; ++k)
      px.push_back(static_cast<uint8_t>(i + k));
  }
  return idx_bytes({n, h, w}, px);
}

inline std::string idx_labels(uint32_t n, uint32_t classes) {
  std::vector<uint8_t> lab;
  for (uint32_t i = 0; i < n; ++i)
    lab.push_back(static_cast<uint8_t>(i % classes));
  return idx_bytes({n}, lab);
}

inline std::string gzip(const std::string& raw) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, raw.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// CIFAR-10 records (label i % 10) or CIFAR-100 (coarse i % 20, fine i % 100).
inline std::string cifar_bytes(uint32_t n, bool hundred) {
  std::string s;
  for (uint32_t i = 0; i < n; ++i) {
    if (hundred) s += static_cast<char>(i % 20);
    s += static_cast<char>(i % (hundred ? 100 : 10));
    for (int k = 0; k < 3072; ++k) s += static_cast<char>((i * 7 + k) & 0xff);
  }
  return s;
}

inline void write(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

// A Fashion-MNIST-like folder of 8x8 images: class c lights the pixels
// k with k % 10 == c over noise, so a network learns it in a few steps.
inline void write_mnist_folder(const std::filesystem::path& dir, uint32_t train,
                               uint32_t test, bool gzipped) {
  const auto set = [&](const std::string& prefix, uint32_t n, uint32_t seed) {
    std::vector<uint8_t> px, lab;
    uint32_t state = seed;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t c = (i * 7 + seed) % 10;
      lab.push_back(static_cast<uint8_t>(c));
      for (uint32_t k = 0; k < 8 * 8; ++k) {
        state = state * 1664525u + 1013904223u;
        const uint32_t noise = state >> 26;  // 0..63
        px.push_back(static_cast<uint8_t>(k % 10 == c ? 192 + noise : noise));
      }
    }
    const std::string ext = gzipped ? ".gz" : "";
    const auto enc = [&](const std::string& b) {
      return gzipped ? gzip(b) : b;
    };
    write(dir / (prefix + "-images-idx3-ubyte" + ext),
          enc(idx_bytes({n, 8, 8}, px)));
    write(dir / (prefix + "-labels-idx1-ubyte" + ext),
          enc(idx_bytes({n}, lab)));
  };
  set("train", train, 1);
  set("t10k", test, 2);
}

}  // namespace mishlab::test
