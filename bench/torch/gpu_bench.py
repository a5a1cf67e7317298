#!/usr/bin/env python3
"""GPU benchmark of torch.ops.mish against PyTorch's F.mish and ReLU.

1. Forward and backward over 2^28 elements in float32, bfloat16, float16,
   timed with CUDA events: ours, F.mish, ReLU.
2. A ResNet-50 training step (torchvision, synthetic batch, bf16 autocast,
   channels_last) with ReLU, nn.Mish and mish_torch.Mish: step time and
   torch.cuda.max_memory_allocated.

Finds libmish_torch.so like the mish_torch package does (MISH_TORCH_LIBRARY,
else the newest build*/src/torch of this checkout). Runs in well under two
minutes on an H100. Without CUDA it runs the first part on the CPU, at a small
size, as a smoke test.
"""

import argparse
import importlib.util
import pathlib
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
import mish_torch  # noqa: E402  (after the path it is found on)


class Timer:
    """Mean milliseconds per call: CUDA events on the GPU, wall clock else."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def __call__(self, fn, iters, warmup=3):
        for _ in range(warmup):
            fn()
        self.sync()
        if self.cuda:
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(iters):
                fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / iters
        begin = time.perf_counter()
        for _ in range(iters):
            fn()
        return (time.perf_counter() - begin) * 1e3 / iters


def ours_available(device):
    try:
        mish_torch.mish(torch.ones(4, device=device))
        return True
    except RuntimeError as error:
        print(f"note: torch.ops.mish unavailable on {device}: "
              f"{str(error).splitlines()[0]}")
        return False


def kernel_rows(timer, device, dtype, n, iters, with_ours):
    """Rows (dtype, pass, impl, ms, G elements/s) for one dtype."""
    x = torch.randn(n, device=device, dtype=dtype) * 4
    dy = torch.randn(n, device=device, dtype=dtype)
    relu_y = torch.relu(x)
    impls = {
        "forward": {
            "relu": lambda: torch.relu(x),
            "F.mish": lambda: F.mish(x),
            "mish": lambda: torch.ops.mish.mish(x),
        },
        "backward": {
            "relu": lambda: torch.ops.aten.threshold_backward(dy, relu_y, 0),
            "F.mish": lambda: torch.ops.aten.mish_backward(dy, x),
            "mish": lambda: torch.ops.mish.mish_backward(dy, x),
        },
    }
    if with_ours:
        # Agreement first: a fast wrong kernel is no result.
        ref = F.mish(x[:1 << 20].float())
        err = (torch.ops.mish.mish(x[:1 << 20]).float() - ref).abs().max()
        print(f"{str(dtype):15} max |ours - F.mish(float32)| = "
              f"{err.item():.3g}")
    rows = []
    with torch.no_grad():
        for phase, fns in impls.items():
            for name, fn in fns.items():
                if name == "mish" and not with_ours:
                    continue
                try:
                    ms = timer(fn, iters)
                except RuntimeError as error:  # a dtype torch lacks
                    print(f"{name} {phase} {dtype}: "
                          f"{str(error).splitlines()[0]}")
                    ms = float("nan")
                rows.append((str(dtype).replace("torch.", ""), phase, name,
                             ms, n / ms / 1e6))
    return rows


def kernels(device, log2_elements, iters, with_ours):
    timer = Timer(device)
    dtypes = [torch.float32, torch.bfloat16, torch.float16]
    if device.type == "cpu":
        dtypes.pop()  # no float16 relu on the CPU in torch 1.13
    rows = []
    for dtype in dtypes:
        rows += kernel_rows(timer, device, dtype, 1 << log2_elements, iters,
                            with_ours)
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return rows


def print_kernel_table(rows):
    print("\n| dtype | pass | impl | ms | G elem/s | vs relu | vs F.mish |")
    print("|---|---|---|---|---|---|---|")
    base = {(r[0], r[1], r[2]): r[3] for r in rows}
    for dtype, phase, name, ms, rate in rows:
        relu = base[(dtype, phase, "relu")] / ms
        native = base[(dtype, phase, "F.mish")] / ms
        print(f"| {dtype} | {phase} | {name} | {ms:.3f} | {rate:.1f} | "
              f"{relu:.2f}x | {native:.2f}x |")


def replace_relu(module, make):
    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, make())
        else:
            replace_relu(child, make)


def resnet50_step(timer, make, images, labels, steps):
    """(ms per step, peak GiB) of ResNet-50 with ReLU replaced by make()."""
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet50()
    if make is not None:
        replace_relu(model, make)
    model = model.to(images.device, memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(images.device.type, dtype=torch.bfloat16):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    step()  # cuDNN autotuning and allocator warm-up, outside the peak
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    ms = timer(step, steps, warmup=2)
    return ms, torch.cuda.max_memory_allocated() / 2**30


def resnet50_steps(device, batch, steps, with_ours):
    if importlib.util.find_spec("torchvision") is None:
        print("ResNet-50 step skipped: torchvision not installed")
        return []
    timer = Timer(device)
    activations = {"relu": None, "nn.Mish": nn.Mish}
    if with_ours:
        activations["mish"] = mish_torch.Mish
    images = torch.randn(batch, 3, 224, 224, device=device).to(
        memory_format=torch.channels_last)
    labels = torch.randint(0, 1000, (batch,), device=device)
    rows = []
    for name, make in activations.items():
        rows.append((name, *resnet50_step(timer, make, images, labels,
                                          steps)))
        torch.cuda.empty_cache()
    return rows


def print_resnet_table(rows, batch):
    if not rows:
        return
    print(f"\nResNet-50 training step, batch {batch}, bf16 autocast, "
          "channels_last")
    print("| activation | ms/step | vs relu | peak GiB |")
    print("|---|---|---|---|")
    relu = rows[0][1]
    for name, ms, peak in rows:
        print(f"| {name} | {ms:.1f} | {ms / relu:.3f} | {peak:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log2-elements", type=int, default=28)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    name = torch.cuda.get_device_name() if cuda else "CPU (smoke test)"
    print(f"torch {torch.__version__}, {name}, library {mish_torch.library_path}")
    if not cuda:
        args.log2_elements = min(args.log2_elements, 16)
    if cuda:
        torch.backends.cudnn.benchmark = True
    with_ours = ours_available(device)
    begin = time.perf_counter()
    print_kernel_table(kernels(device, args.log2_elements, args.iters,
                               with_ours))
    if cuda:
        print_resnet_table(resnet50_steps(device, args.batch, args.steps,
                                          with_ours), args.batch)
    else:
        print("\nResNet-50 step skipped: needs CUDA")
    print(f"\ntotal {time.perf_counter() - begin:.1f} s")


if __name__ == "__main__":
    main()
