#!/usr/bin/env bash
# Run on this Debian machine before bench/gpu/run.sh goes to a GPU machine
# without apt: copies Highway, GoogleTest and Google Benchmark (headers,
# libraries, CMake packages) into .deps/<name>/ with Debian's layout, so their
# relocatable CMake configs work from CMAKE_PREFIX_PATH=.deps/<name> there.
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
  cp -a "/usr/$multiarch/cmake/$cmake_dir" "$dest/$multiarch/cmake/"
  echo "$dest: $(du -sh "$dest" | cut -f1)"
}

copy hwy hwy hwy -- 'libhwy*.so*'
copy gtest GTest gtest gmock -- 'libgtest*.a' 'libgmock*.a'
copy benchmark benchmark benchmark -- 'libbenchmark*.so*' 'libbenchmark*.a'
