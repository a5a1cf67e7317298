#!/usr/bin/env bash
# Installs everything mish's configure, build, tests and main job use, from
# Debian's archive (Debian 12), without Recommends: what is not listed here
# (or pulled in as a dependency) is not on a fresh machine, and CI's package
# guard (scripts/check-packages.py) fails when the build uses it. Each
# package and why:
#   cmake ninja-build g++ pkg-config  build
#   libhwy-dev            Highway: portable SIMD with run-time dispatch (core)
#   libgtest-dev libgmock-dev libbenchmark-dev   tests and benchmarks
#   libdnnl-dev ocl-icd-opencl-dev   oneDNN, the peer the CPU benchmark
#                         compares with (its CMake config requires OpenCL)
#   libtorch-dev          LibTorch 1.13: the operator, the lab, a benchmark peer
#   libopenblas0-openmp   LibTorch's BLAS (25x the reference BLAS on the lab's
#                         fully connected layers; OpenMP, like LibTorch)
#   python3-torch python3-pytest   the Python tests of the operator
#   python3-torchvision   real models (ResNet, MobileNet, EfficientNet) that
#                         the tests of mish_torch.convert convert
#   python3-onnx python3-opencv   ONNX export tests: the onnx checker, and
#                         OpenCV's DNN module as an independent runtime
#   python3-venv python3-setuptools python3-wheel   pip install of the Python
#                         package (offline, no build isolation) and its test
#   libcli11-dev nlohmann-json3-dev libboost-math-dev zlib1g-dev   the lab
#                         (flags, JSON outputs, Student t p-values, .gz data)
#   libturbojpeg0-dev     JPEG image folders (Imagenette layout) for the lab
#   libspng-dev           PNG masks and images of the lab's segmentation folders
#   libgloo-dev           Gloo's headers, which LibTorch's c10d process group
#                         header includes: the lab's data-parallel training
#   gnuplot-nox           the lab's plots
#   dataset-fashion-mnist the default real data of the lab
#   clang libclang-rt-14-dev   libFuzzer targets
#   strace python3        CI's package guard, scripts/check-packages.py
#   ccache                rebuilds and fresh clones compile only what changed
# `--list` prints the packages without installing them.
# `--pypi` then makes .venv/ (git-ignored) from Debian's python3 with PyPI's
# PyTorch as its users have it (a CUDA build that also runs on the CPU) and
# what its tests import, at the exact pins of python/requirements-pypi.txt:
# the second configuration (cmake --preset pypi). A second run with the same
# pins installs nothing.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config ca-certificates
  libhwy-dev libgtest-dev libgmock-dev libbenchmark-dev
  libdnnl-dev ocl-icd-opencl-dev
  libtorch-dev libopenblas0-openmp python3-torch python3-pytest
  python3-torchvision
  python3-onnx python3-opencv python3-venv python3-setuptools python3-wheel
  libcli11-dev nlohmann-json3-dev libboost-math-dev zlib1g-dev
  libturbojpeg0-dev libspng-dev libgloo-dev gnuplot-nox dataset-fashion-mnist
  clang libclang-rt-14-dev strace python3 ccache
)
pypi=0
for arg in "$@"; do
  case "$arg" in
    --list) printf '%s\n' "${packages[@]}"; exit 0 ;;
    --pypi) pypi=1 ;;
    *) echo "usage: $0 [--list | --pypi]" >&2; exit 2 ;;
  esac
done
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"

if [ "$pypi" = 1 ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  pins=$root/python/requirements-pypi.txt
  installed=$root/.venv/requirements-pypi.txt  # the pins .venv holds
  if cmp -s "$pins" "$installed"; then
    echo "install-deps: .venv already holds python/requirements-pypi.txt"
  else
    rm -rf "$root/.venv"
    /usr/bin/python3 -m venv "$root/.venv"
    # The wheels are kept in a folder of their own (several GB: pip's HTTP
    # cache is not always allowed to keep them): later runs, and fresh
    # clones, download nothing. Every package is pinned, dependencies
    # included: nothing is resolved anew, and pip check proves the pins
    # complete.
    wheels=${XDG_CACHE_HOME:-$HOME/.cache}/mish/wheels
    install() {
      "$root/.venv/bin/pip" install -q --no-deps --no-index \
        --find-links "$wheels" -r "$pins"
    }
    if ! install 2>/dev/null; then
      echo "install-deps: downloading the pinned wheels into $wheels"
      "$root/.venv/bin/pip" download -q --no-deps -d "$wheels" -r "$pins"
      install
    fi
    "$root/.venv/bin/pip" check
    cp "$pins" "$installed"
  fi
fi
