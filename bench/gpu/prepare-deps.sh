#!/usr/bin/env bash
# Run on this Debian machine before bench/gpu/run.sh or lab.sh goes to a GPU
# machine without apt: copies Highway, GoogleTest and Google Benchmark, and
# the lab's CLI11, nlohmann-json, the Boost headers it includes, Gloo's
# headers, libjpeg-turbo, zlib and Fashion-MNIST (headers, libraries, CMake packages, data) into
# .deps/<name>/ with Debian's layout, so their relocatable CMake configs work
# from CMAKE_PREFIX_PATH=.deps/<name> there. About 45 MB: the device tool
# carries at most 64 MiB.
set -euo pipefail

cd "$(dirname "$0")/../.."
multiarch=lib/x86_64-linux-gnu

# copy NAME CMAKE_DIR HEADER_DIRS... -- LIBRARY_GLOBS...
copy() {
  local name=$1 cmake_dir=$2
  shift 2
  local dest=.deps/$name
  rm -rf "$dest"
  mkdir -p "$dest/include" "$dest/$multiarch/cmake"
  while [[ $1 != -- ]]; do
    cp -a "/usr/include/$1" "$dest/include/"
    shift
  done
  shift
  local pattern
  for pattern in "$@"; do
    # Globs expand here on purpose: each names a library family.
    # shellcheck disable=SC2086
    cp -a /usr/$multiarch/$pattern "$dest/$multiarch/"
  done
  [[ -z $cmake_dir ]] || cp -a "/usr/$multiarch/cmake/$cmake_dir" "$dest/$multiarch/cmake/"
  # Links to absolute paths (libz.so) would point outside .deps there.
  local link
  find "$dest" -type l -lname '/*' | while read -r link; do
    ln -sfn "$(basename "$(readlink "$link")")" "$link"
  done
  echo "$dest: $(du -sh "$dest" | cut -f1)"
}

# Header-only packages whose CMake configs live in /usr/share/cmake.
copy_headers() {
  local name=$1 cmake_dir=$2 header_dir=$3
  local dest=.deps/$name
  rm -rf "$dest"
  mkdir -p "$dest/include" "$dest/share/cmake"
  cp -a "/usr/include/$header_dir" "$dest/include/"
  cp -a "/usr/share/cmake/$cmake_dir" "$dest/share/cmake/"
  echo "$dest: $(du -sh "$dest" | cut -f1)"
}

# Boost (180 MB of headers) is cut to the headers that the lab's one user,
# lab/report/stats.cpp, opens with GCC or Clang, and Boost's configuration.
copy_boost() {
  local dest=.deps/boost
  rm -rf "$dest"
  mkdir -p "$dest/include/boost" "$dest/$multiarch/cmake"
  local cxx headers=()
  for cxx in g++ clang++; do
    command -v "$cxx" >/dev/null || continue
    mapfile -t -O "${#headers[@]}" headers < <("$cxx" -std=c++17 -M \
      -I lab lab/report/stats.cpp | grep -o '/usr/include/boost/[^ ]*' |
      sed 's|^/usr/include/||')
  done
  ((${#headers[@]})) || { echo "no Boost headers found"; exit 1; }
  printf '%s\n' "${headers[@]}" boost/config boost/predef | sort -u |
    (cd /usr/include && xargs cp -a --parents -t "$OLDPWD/$dest/include")
  cp -a /usr/$multiarch/cmake/Boost-1.74.0 \
    /usr/$multiarch/cmake/boost_headers-1.74.0 "$dest/$multiarch/cmake/"
  echo "$dest: $(du -sh "$dest" | cut -f1)"
}

copy hwy hwy hwy -- 'libhwy*.so*'
copy gtest GTest gtest gmock -- 'libgtest*.a' 'libgmock*.a'
copy benchmark benchmark benchmark -- 'libbenchmark*.so*' 'libbenchmark*.a'

# The lab (MISH_BUILD_LAB): bench/gpu/lab.sh.
copy_headers cli11 CLI11 CLI
copy_headers json nlohmann_json nlohmann
copy_boost
copy_headers gloo Gloo gloo  # c10d's Gloo process group, if LibTorch lacks them
copy turbojpeg '' turbojpeg.h -- 'libturbojpeg.so*'
copy zlib '' zlib.h zconf.h -- 'libz.so*'
rm -rf .deps/fashion-mnist
cp -a /usr/share/datasets/fashion-mnist .deps/fashion-mnist
echo ".deps: $(du -sh .deps | cut -f1)"
