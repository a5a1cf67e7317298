#!/usr/bin/env bash
# One call on a GPU machine (nvcc, cmake, ninja, python3 with CUDA PyTorch;
# no apt, no network): builds with CUDA, runs the GPU tests and
# compute-sanitizer memcheck, then the benchmarks, and prints the tables last.
# Needs .deps/ from bench/gpu/prepare-deps.sh. Logs go to $OUT (default
# out/gpu). Exits non-zero if any step failed; later steps still run.
set -euo pipefail

# The whole script stays under 8 minutes: each step gets at most what is
# left before this deadline (seconds since start).
deadline=${MISH_DEADLINE:-460}
deps=(hwy gtest benchmark)
log=gpu.log
# shellcheck source=bench/gpu/common.sh
source "$(dirname "$0")/common.sh"

section configure
if ! configure -DMISH_BUILD_LAB=OFF; then
  echo "*** configure with LibTorch failed; again without it"
  failed+=("configure with LibTorch")
  rm -rf "$build"
  configure -DMISH_BUILD_LAB=OFF -DMISH_TORCH=OFF
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
    --gtest_filter='*EveryLength*:*Bias*:*Invalid*:*Special*:*BatchNormMish*'
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
# grep reads all of it: with -q it would stop early and, under pipefail, fail
# the pipe.
if ctest --test-dir "$build" -N -L torch 2>/dev/null | grep 'Test *#' >/dev/null; then
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

# Fused BatchNorm + Mish in a ResNet-50 training step: peak memory and
# step time against BatchNorm2d + ReLU(inplace) and + Mish.
torch_lib=$(find "$build/src/torch" -name 'libmish_torch.so' 2>/dev/null | head -n 1 || true)
if [[ -n $torch_lib ]]; then
  step "BatchNorm+Mish benchmark" 150 env MISH_TORCH_LIBRARY="$torch_lib" \
    PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}" bash -o pipefail -c \
    "python3 '$root/bench/torch/batch_norm_mish.py' --device cuda --model resnet50 --batch 128 --size 128 --amp bfloat16 --channels-last --steps 20 | tee '$out/bn_mish_bench.md'"
fi

section summary
for table in gpu_bench torch_bench torch_op_bench bn_mish_bench; do
  if [[ -s $out/$table.md ]]; then
    echo "--- $table"
    cat "$out/$table.md"
  fi
done
finish
