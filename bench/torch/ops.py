"""Mish per call, eager and compiled, and the fused batch norm + Mish layer,
at 1 and 2 threads: elements per second, measured interleaved.

    PYTHONPATH=python /usr/bin/python3 bench/torch/ops.py        # Debian torch
    PYTHONPATH=python MISH_TORCH_LIBRARY=build/pypi/src/torch/libmish_torch.so \\
        .venv/bin/python bench/torch/ops.py                      # PyPI torch

Variants: torch's nn.Mish, ours (mish_torch.Mish, the registered operator),
and with torch >= 2 both again under torch.compile (inductor's generated
code for nn.Mish; our operator as an opaque call). "forward" times y = f(x)
without autograd; "fwd+bwd" times y = f(x) and y.backward(dy). The layer
table times forward + backward of BatchNorm2d + Mish against
BatchNormMish2d on [16, 64, 32, 32], NCHW and channels-last. Every round
runs each variant once at each thread count, so load on the machine hits
all alike; the figures are medians. Run it with the heap kept
(MALLOC_MMAP_THRESHOLD_=MALLOC_TRIM_THRESHOLD_=1000000000): otherwise every
DRAM-sized result is fresh memory from the kernel, whose page faults
(serial, and slow on a VM) are what gets timed.
"""

import argparse
import statistics
import time

import torch
from torch import nn

import mish_torch

SIZES = {"L2": 1 << 16, "L3": 1 << 20, "DRAM": 1 << 24}


def compiled(module):
    # One compiled graph per size, dtype, pass, grad mode and thread count:
    # more than dynamo's default limit of 8 recompilations.
    torch._dynamo.config.recompile_limit = 64
    return torch.compile(module, fullgraph=True)


def op_variants():
    """name -> module: the elementwise Mish each way a user can call it."""
    variants = {"nn.Mish": nn.Mish(), "mish_torch": mish_torch.Mish()}
    if hasattr(torch, "compile"):
        variants["compile(nn.Mish)"] = compiled(nn.Mish())
        variants["compile(mish_torch)"] = compiled(mish_torch.Mish())
    return variants


def layer_variants(fmt):
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(64).to(memory_format=fmt)
    return {
        "BN + nn.Mish": nn.Sequential(bn, nn.Mish()),
        "BN + mish_torch.Mish": nn.Sequential(
            nn.BatchNorm2d(64).to(memory_format=fmt), mish_torch.Mish()),
        "BatchNormMish2d": mish_torch.BatchNormMish2d(64).to(
            memory_format=fmt),
    }


def set_threads(n):
    """torch's thread count, with its pool started: the first parallel
    region after a change pays for new threads, and is not timed."""
    torch.set_num_threads(n)
    torch.ones(1 << 20).sin_()


def call(f, x, dy):
    """One forward (dy None, no autograd) or forward + backward."""
    if dy is None:
        with torch.no_grad():
            f(x)
        return
    xi = x.detach().requires_grad_()
    f(xi).backward(dy)


def median_seconds(cases, threads, rounds, repeat):
    """cases: key -> (f, x, dy). Median seconds per call for each key and
    thread count, interleaved over rounds."""
    times = {(key, n): [] for key in cases for n in threads}
    for f, x, dy in cases.values():
        for n in threads:  # warm-up: compilation, allocator, thread pools
            set_threads(n)
            call(f, x, dy)
    for _ in range(rounds):
        for n in threads:
            set_threads(n)
            for key, (f, x, dy) in cases.items():
                start = time.perf_counter()
                for _ in range(repeat):
                    call(f, x, dy)
                times[(key, n)].append((time.perf_counter() - start) / repeat)
    return {k: statistics.median(v) for k, v in times.items()}


def op_table(args):
    variants = op_variants()
    for dtype in (torch.float32, torch.bfloat16):
        cases = {}
        for size_name, n in SIZES.items():
            torch.manual_seed(0)
            x = (torch.randn(n) * 4).to(dtype)
            dy = torch.randn(n).to(dtype)
            for pass_name, grad in (("forward", None), ("fwd+bwd", dy)):
                for name, f in variants.items():
                    cases[(size_name, pass_name, name)] = (f, x, grad)
        missing = set()
        for key, (f, x, dy) in list(cases.items()):
            try:  # a peer may lack the dtype (torch 1.13: no bfloat16 mish)
                call(f, x[:8], None if dy is None else dy[:8])
            except RuntimeError as error:
                missing.add(f"{key[2]}: {str(error).splitlines()[0]}")
                del cases[key]
        t = median_seconds(cases, args.threads, args.rounds, args.repeat)
        print(f"\n{str(dtype)[6:]}, G elements/s (median of {args.rounds} "
              f"rounds), and the speed-up from {args.threads[0]} to "
              f"{args.threads[-1]} threads:\n")
        head = "| size | pass | variant |" + "".join(
            f" {n} thr |" for n in args.threads) + " scaling | vs nn.Mish |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for (size_name, pass_name, name) in cases:
            n = SIZES[size_name]
            rate = [n / t[((size_name, pass_name, name), k)] / 1e9
                    for k in args.threads]
            base = t.get(((size_name, pass_name, "nn.Mish"), args.threads[-1]))
            versus = "n/a" if base is None else \
                f"{rate[-1] * base * 1e9 / n:.2f}x"
            print(f"| {size_name} ({n}) | {pass_name} | {name} |" +
                  "".join(f" {r:.3f} |" for r in rate) +
                  f" {rate[-1] / rate[0]:.2f}x | {versus} |")
        for line in sorted(missing):
            print(f"\nNot run: {line}")


def layer_table(args):
    shape = (16, 64, 32, 32)
    cases = {}
    for fmt_name, fmt in (("NCHW", torch.contiguous_format),
                          ("channels-last", torch.channels_last)):
        torch.manual_seed(0)
        x = torch.randn(shape).contiguous(memory_format=fmt)
        dy = torch.randn(shape).contiguous(memory_format=fmt)
        for name, layer in layer_variants(fmt).items():
            cases[(fmt_name, name)] = (layer, x, dy)
    t = median_seconds(cases, args.threads, args.rounds, args.repeat)
    print(f"\nLayer forward + backward, {list(shape)}, float32, ms (median of "
          f"{args.rounds} rounds):\n")
    head = "| layout | layer |" + "".join(
        f" {n} thr ms |" for n in args.threads) + \
        " scaling | vs BN + mish_torch.Mish |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for (fmt_name, name) in cases:
        ms = [t[((fmt_name, name), k)] * 1e3 for k in args.threads]
        ours = t[((fmt_name, "BN + mish_torch.Mish"), args.threads[-1])] * 1e3
        print(f"| {fmt_name} | {name} |" + "".join(f" {m:.2f} |" for m in ms) +
              f" {ms[0] / ms[-1]:.2f}x | {ms[-1] / ours:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated thread counts")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=5,
                        help="calls per timing")
    parser.add_argument("--only", choices=("ops", "layer"))
    args = parser.parse_args()
    args.threads = [int(n) for n in args.threads.split(",")]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads at "
          f"start, library {mish_torch.library_path}")
    if args.only != "layer":
        op_table(args)
    if args.only != "ops":
        layer_table(args)


if __name__ == "__main__":
    main()
