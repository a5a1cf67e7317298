#!/usr/bin/env bash
# One call on a GPU machine, after or instead of run.sh: builds the lab
# against that machine's LibTorch (2.x, CUDA), runs the lab's tests, then the
# recipe ablation on Fashion-MNIST on the GPU (bf16 autocast, channels_last):
# activation x optimizer + schedule x self-attention, seeds each. Needs .deps/
# from bench/gpu/prepare-deps.sh; reports go to $OUT (default out/gpu).
# MISH_LAB_DEVICE (default cuda) and MISH_ABLATE_ARGS size it for a rehearsal
# elsewhere. Exits non-zero if any step failed; later steps still run.
set -euo pipefail

deadline=${MISH_DEADLINE:-540}
deps=(hwy gtest benchmark cli11 json boost gloo turbojpeg zlib fashion-mnist)
log=lab.log
# shellcheck source=bench/gpu/common.sh
source "$(dirname "$0")/common.sh"

device=${MISH_LAB_DEVICE:-cuda}
data=$root/.deps/fashion-mnist
# The full training set, three epochs at batch 256 (705 steps a run): 24
# runs of a few seconds each on an H200.
read -r -a ablate_args <<<"${MISH_ABLATE_ARGS:---seeds 3 --epochs 3 \
--train-limit 0 --test-limit 0 --batch-size 256 --widen 0.5}"
# The ablation runs outside $OUT, which the device tool empties each call: a
# second call on the same machine resumes where a cut-off one stopped.
ablate_dir=$root/out/lab/ablate-$device
resume=()
[[ -f $ablate_dir/config.json ]] && resume=(--resume)

# pip's NCCL (nvidia-nccl-cu*) ships nccl.h, which c10d's NCCL group needs.
if nccl=$(python3 -c 'import os, nvidia.nccl as n
print(os.path.join(list(n.__path__)[0], "include"))' 2>/dev/null); then
  export NCCL_INCLUDE_DIR=$nccl
fi

section configure
configure -DMISH_BUILD_LAB=ON || { echo "*** configure failed"; exit 1; }
step "build" 300 cmake --build "$build" -j"$jobs"
step "lab tests" 150 ctest --test-dir "$build" -L lab -j"$jobs" --output-on-failure

lab=$build/lab/mish-lab
# The trainer and models on the device: a short comparison first, so that a
# failure there shows before the long run.
step "compare on $device" 90 "$lab" compare --device "$device" --data "$data" \
  --seeds 1 --epochs 1 --train-limit 4000 --test-limit 1000 --quiet \
  --out "$out/compare-$device"
# Data-parallel on c10d's NCCL group, one process per GPU, launched by
# torchrun; config.json must name the backend.
gpus=$(nvidia-smi -L 2>/dev/null | wc -l)
if [[ $device == cuda ]] && ((gpus > 0)) && command -v torchrun >/dev/null; then
  step "data-parallel on $gpus GPU(s) (torchrun, NCCL)" 120 bash -c '
    torchrun --no-python --standalone --nproc-per-node="$1" "$2" compare \
      --device cuda --data "$3" --seeds 1 --epochs 1 --train-limit 4000 \
      --test-limit 1000 --quiet --out "$4" &&
      grep -q "\"backend\": *\"nccl\"" "$4/config.json"' _ "$gpus" "$lab" \
    "$data" "$out/compare-nccl"
fi
# The fused batch norm + Mish layer trains as the unfused one does.
step "compare --fused-bn-mish on $device" 90 "$lab" compare \
  --device "$device" --data "$data" --activations mish --baseline mish \
  --seeds 1 --epochs 1 \
  --train-limit 4000 --test-limit 1000 --model resnet20 --fused-bn-mish \
  --quiet --out "$out/compare-fused-$device"
step "ablation on $device" 400 "$lab" ablate --device "$device" \
  --data "$data" --model xresnet18 --lr 4e-3 --weight-decay 1e-2 \
  "${ablate_args[@]}" "${resume[@]}" --out "$ablate_dir"
# The reports and each run's record, not the checkpoints.
if [[ -d $ablate_dir/runs ]]; then
  mkdir -p "$out/ablate-$device/runs"
  cp "$ablate_dir"/*.{md,csv,json,svg} "$out/ablate-$device/" 2>/dev/null || true
  cp "$ablate_dir"/runs/*.json "$out/ablate-$device/runs/" 2>/dev/null || true
fi

section summary
for report in "$out"/compare-*/report.md "$out/ablate-$device/report.md"; do
  [[ -s $report ]] && { echo "--- $report"; cat "$report"; }
done
finish
