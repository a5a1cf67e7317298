#!/usr/bin/env python3
"""PyTorch's own CUDA Mish and ReLU next to ours, in one process.

At 2^28 elements per dtype, median of CUDA-event timings: torch.relu and
F.mish forward, threshold_backward and mish_backward, a device-to-device copy,
and (with --lib) our kernels called on the same tensors through the C ABI.
GB/s counts bytes read + written, as bench/gpu/gpu_bench.cu does.
"""
import argparse
import ctypes
import statistics

import torch
import torch.nn.functional as F


def median_ms(fn, reps):
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def load_ours(path):
    lib = ctypes.CDLL(path)
    ptr, size = ctypes.c_void_p, ctypes.c_size_t
    for suffix in ("f32", "bf16", "f16"):
        fwd = getattr(lib, "mish_cuda_forward_" + suffix)
        fwd.argtypes = [ptr, ptr, size, ptr]
        fwd.restype = ctypes.c_int
        bwd = getattr(lib, "mish_cuda_backward_" + suffix)
        bwd.argtypes = [ptr, ptr, ptr, size, ptr]
        bwd.restype = ctypes.c_int
    return lib


def checked(status):
    if status != 0:
        raise RuntimeError(f"mish_cuda returned cudaError_t {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log2", type=int, default=28, help="log2 elements")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--lib", help="path to libmish_cuda.so")
    args = parser.parse_args()
    ours = load_ours(args.lib) if args.lib else None
    n = 1 << args.log2
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}"
          f" (CUDA {torch.version.cuda}), 2^{args.log2} elements, median of"
          f" {args.reps}, GB/s = (bytes read + written) / time\n")
    print("| dtype | pass | ours GB/s | torch mish GB/s | torch ReLU GB/s |"
          " ours / torch mish | ours / torch ReLU | copy GB/s |"
          " ours / copy |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    dtypes = [(torch.float32, "f32"), (torch.bfloat16, "bf16"),
              (torch.float16, "f16")]
    for dtype, suffix in dtypes:
        x = torch.empty(n, device="cuda", dtype=dtype).uniform_(-8, 8)
        dy = torch.empty_like(x).uniform_(-1, 1)
        y = torch.empty_like(x)
        io2 = 2 * n * x.element_size() / 1e6  # so that bytes / ms gives GB/s
        io3 = 3 * n * x.element_size() / 1e6
        stream = torch.cuda.current_stream().cuda_stream

        def gbps(nbytes, fn):
            return nbytes / median_ms(fn, args.reps)

        copy = gbps(io2, lambda: y.copy_(x))
        rows = [
            ("forward", io2, lambda: torch.relu(x), lambda: F.mish(x),
             lambda: checked(getattr(ours, "mish_cuda_forward_" + suffix)(
                 x.data_ptr(), y.data_ptr(), n, stream))),
            ("backward", io3,
             lambda: torch.ops.aten.threshold_backward(dy, x, 0),
             lambda: torch.ops.aten.mish_backward(dy, x),
             lambda: checked(getattr(ours, "mish_cuda_backward_" + suffix)(
                 x.data_ptr(), dy.data_ptr(), y.data_ptr(), n, stream))),
        ]
        for name, nbytes, relu_fn, mish_fn, ours_fn in rows:
            relu = gbps(nbytes, relu_fn)
            mish = gbps(nbytes, mish_fn)
            mine = gbps(nbytes, ours_fn) if ours else float("nan")
            print(f"| {dtype} | {name} | {mine:.0f} | {mish:.0f} | {relu:.0f}"
                  f" | {mine / mish:.2f}x | {100 * mine / relu:.1f}% |"
                  f" {copy:.0f} | {100 * mine / copy:.1f}% |")
        del x, dy, y
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
