#!/usr/bin/env bash
# One call on a GPU machine (nvcc, cmake, ninja, python3 with CUDA PyTorch;
# no apt, no network): builds with CUDA, runs the GPU tests and
# compute-sanitizer memcheck, then the benchmarks, and prints the tables last.
# Needs .deps/ from bench/gpu/prepare-deps.sh. Logs go to $OUT (default
# out/gpu). Exits non-zero if any step failed; later steps still run.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
out=${OUT:-$root/out/gpu}
mkdir -p "$out"
exec > >(tee "$out/gpu.log") 2>&1

build=$root/build-gpu
jobs=${MISH_JOBS:-16}
failed=()
section() { printf '\n=== %s (%ds) ===\n' "$1" "$SECONDS"; }
# The whole script stays under 8 minutes: each step gets at most what is
# left before this deadline (seconds since start).
deadline=${MISH_DEADLINE:-460}
# step NAME SECONDS CMD...: runs CMD with a time limit, records a failure.
step() {
  local name=$1 limit=$2
  shift 2
  section "$name"
  local left=$((deadline - SECONDS))
  if ((left < 20)); then
    echo "*** $name skipped: out of time"
    failed+=("$name (out of time)")
    return
  fi
  if ! timeout "$((limit < left ? limit : left))" "$@"; then
    echo "*** $name failed"
    failed+=("$name")
  fi
}

section machine
nvidia-smi || true
export PATH=/usr/local/cuda/bin:$PATH
# A toolchain that links libstdc++ statically puts a second copy of it beside
# PyTorch's; prefer the system compiler, which links the shared one.
if [[ -x /usr/bin/g++ && -x /usr/bin/gcc ]]; then
  export CC=/usr/bin/gcc CXX=/usr/bin/g++ CUDAHOSTCXX=/usr/bin/g++
fi
"${CXX:-g++}" --version | head -n 1
echo 'int main() {}' | "${CXX:-g++}" -x c++ - -o /tmp/mish-cxx-probe -v 2>&1 |
  grep -o -- '-static-libstdc++\|-Bstatic -lstdc++' | head -n 1 || true
nvcc --version | tail -n 2
cmake --version | head -n 1
python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)' || true
date -u
git -C "$root" log --oneline -1 || true

for dep in hwy gtest benchmark; do
  [[ -d $root/.deps/$dep ]] || { echo "missing .deps/$dep: run bench/gpu/prepare-deps.sh first"; exit 1; }
done
lib_dirs=$root/.deps/hwy/lib/x86_64-linux-gnu:$root/.deps/benchmark/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$lib_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
prefix="$root/.deps/hwy;$root/.deps/gtest;$root/.deps/benchmark"
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
[[ -n $torch_prefix ]] && prefix="$prefix;$torch_prefix"
export TORCH_CUDA_ARCH_LIST=9.0

configure() {
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DMISH_CUDA=ON -DMISH_BUILD_LAB=OFF -DMISH_BUILD_TOOLS=OFF "$@"
}
section configure
if ! configure; then
  echo "*** configure with LibTorch failed; again without it"
  failed+=("configure with LibTorch")
  rm -rf "$build"
  configure -DMISH_TORCH=OFF
fi

# The CUDA targets first, so that a failure elsewhere cannot hide them.
step "build CUDA targets" 300 cmake --build "$build" -j"$jobs" --target \
  mish_cuda mish_cuda_test mish_cuda_math_test mish_gpu_bench

step "GPU tests" 180 ctest --test-dir "$build" -R '^cuda\.' --output-on-failure

sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [[ -x $sanitizer ]]; then
  # Every launch shape (lengths, offsets, in place, bias layouts), not the
  # 70M-element sweep, which memcheck would slow a hundredfold.
  step "memcheck" 150 "$sanitizer" --tool memcheck --error-exitcode 1 \
    "$build/tests/cuda/mish_cuda_test" \
    --gtest_filter='*EveryLength*:*Bias*:*Invalid*:*Special*'
else
  echo "*** compute-sanitizer not found"
  failed+=("memcheck (no compute-sanitizer)")
fi

step "CUDA benchmark" 120 bash -o pipefail -c \
  "'$build/bench/gpu/mish_gpu_bench' 28 50 | tee '$out/gpu_bench.md'"
step "PyTorch benchmark" 180 bash -o pipefail -c \
  "python3 '$root/bench/gpu/torch_bench.py' --lib '$build/src/cuda/libmish_cuda.so' | tee '$out/torch_bench.md'"

# The rest of the project, then the LibTorch operator's hooks, if present.
step "build everything else" 300 cmake --build "$build" -j"$jobs"
for lib in "$build"/src/core/libmish.so "$build"/src/torch/libmish_torch.so; do
  [[ -f $lib ]] || continue
  echo "$lib: $(nm -D --defined-only "$lib" | grep -c ' _ZNS') std:: symbols exported"
  ldd "$lib" | grep -E 'stdc\+\+|libmish' || true
done
# The CPU kernels on this machine's CPU too (another vendor's SIMD units).
step "CPU core tests" 60 ctest --test-dir "$build" -L core -j"$jobs" --output-on-failure
if ctest --test-dir "$build" -N -L torch 2>/dev/null | grep -q 'Test *#'; then
  step "LibTorch tests" 180 ctest --test-dir "$build" -L torch -j4 --output-on-failure
fi
# A crash in the Python tests: print the native stack of the first error
# path (cuda-gdb also debugs host code).
if [[ " ${failed[*]} " == *"LibTorch tests"* ]] && command -v cuda-gdb >/dev/null; then
  torch_lib=$(find "$build/src/torch" -name 'libmish_torch.so' | head -n 1)
  step "native backtrace" 120 env MISH_TORCH_LIBRARY="$torch_lib" \
    PYTHONPATH="$root/python" cuda-gdb -batch -ex run -ex bt --args python3 -c \
    'import torch, mish_torch
try:
    torch.ops.mish.mish_backward(torch.randn(5, 4), torch.randn(4, 5))
except RuntimeError as e:
    print("caught:", str(e).splitlines()[0])
try:
    mish_torch.mish(torch.zeros(3, dtype=torch.int32))
except RuntimeError as e:
    print("caught:", str(e).splitlines()[0])'
  step "native backtrace (pytest)" 150 env MISH_TORCH_LIBRARY="$torch_lib" \
    PYTHONPATH="$root/python" cuda-gdb -batch -ex run -ex bt --args python3 \
    -m pytest -x -q -p no:cacheprovider "$root/tests/torch/python"
fi
if [[ -f $root/bench/torch/gpu_bench.py ]]; then
  torch_lib=$(find "$build/src/torch" -name 'libmish_torch.so' 2>/dev/null | head -n 1 || true)
  step "LibTorch GPU benchmark" 180 env MISH_TORCH_LIBRARY="$torch_lib" \
    PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}" bash -o pipefail -c \
    "python3 '$root/bench/torch/gpu_bench.py' | tee '$out/torch_op_bench.md'"
fi

section summary
for table in gpu_bench torch_bench torch_op_bench; do
  if [[ -s $out/$table.md ]]; then
    echo "--- $table"
    cat "$out/$table.md"
  fi
done
if ((${#failed[@]})); then
  printf '*** failed: %s\n' "${failed[@]}"
  exit 1
fi
echo "all steps passed in ${SECONDS}s"
