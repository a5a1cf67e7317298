# shellcheck shell=bash
# Shared by bench/gpu/run.sh and lab.sh (sourced): the toolchain, the
# dependencies carried in .deps/, the build folder, and timed steps that
# record failures instead of stopping. Expects `deadline` (seconds since the
# script started), `deps` (the .deps/ entries it needs) and `log` (the name
# of the log in $OUT) to be set.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$PWD
out=${OUT:-$root/out/gpu}
mkdir -p "$out"
exec > >(tee "$out/$log") 2>&1
build=$root/build-gpu
jobs=${MISH_JOBS:-16}
failed=()

section() { printf '\n=== %s (%ds) ===\n' "$1" "$SECONDS"; }

# step NAME SECONDS CMD...: runs CMD with a time limit (at most what is left
# before the deadline), records a failure.
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

# Prints the failures and returns non-zero if there were any.
finish() {
  if ((${#failed[@]})); then
    printf '*** failed: %s\n' "${failed[@]}"
    return 1
  fi
  echo "all steps passed in ${SECONDS}s"
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
nvcc --version | tail -n 2 || true
cmake --version | head -n 1
python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)' || true
date -u
git -C "$root" log --oneline -1 || true

prefix=
for dep in "${deps[@]}"; do
  [[ -d $root/.deps/$dep ]] || { echo "missing .deps/$dep: run bench/gpu/prepare-deps.sh first"; exit 1; }
  [[ $dep == fashion-mnist ]] || prefix="${prefix:+$prefix;}$root/.deps/$dep"
  if [[ -d $root/.deps/$dep/lib/x86_64-linux-gnu ]]; then
    export LD_LIBRARY_PATH=$root/.deps/$dep/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
done
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
[[ -n $torch_prefix ]] && prefix="$prefix;$torch_prefix"
export TORCH_CUDA_ARCH_LIST=9.0

# configure ARGS...: the GPU build folder, Release, sm_90, CUDA required.
configure() {
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DMISH_CUDA=ON -DMISH_BUILD_TOOLS=OFF "$@"
}
