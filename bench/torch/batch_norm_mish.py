"""Fused BatchNorm + Mish against the unfused layers, on a ResNet-style net:
activation bytes autograd keeps for the backward pass, and training-step
time, measured interleaved and given as ratios to BatchNorm2d + ReLU(inplace).

    /usr/bin/python3 bench/torch/batch_norm_mish.py               # CPU table
    python3 bench/torch/batch_norm_mish.py --device cuda --model resnet50 \\
        --batch 128 --size 128 --amp bfloat16 --channels-last     # GPU table
    .venv/bin/python bench/torch/batch_norm_mish.py --compile     # + inductor

Saved bytes: the unique storages that autograd saves (saved_tensors_hooks),
parameters and buffers excluded. On CUDA also the peak of
max_memory_allocated over a training step, above the memory held before it.
Needs libmish_torch.so (see python/mish_torch) on the path.
"""

import argparse
import statistics
import time

import torch
from torch import nn

import mish_torch

VARIANTS = {
    "BN + ReLU(inplace)": "relu",
    "BN + nn.Mish": "torch_mish",
    "BN + mish_torch.Mish": "our_mish",
    "BatchNormMish2d (fused)": "fused",
}


class NormAct(nn.Module):
    """act(bn(x) + residual), or act(bn(x) + residual_norm(residual)) after
    a projection shortcut, fused or not."""

    def __init__(self, channels, kind):
        super().__init__()
        self.fused = kind == "fused"
        if self.fused:
            self.bn = mish_torch.BatchNormMish2d(channels)
            return
        self.bn = nn.BatchNorm2d(channels)
        self.act = {"relu": lambda: nn.ReLU(inplace=True),
                    "torch_mish": nn.Mish,
                    "our_mish": mish_torch.Mish}[kind]()

    def forward(self, x, residual=None, residual_norm=None):
        if self.fused:
            return self.bn(x, residual, residual_norm)
        y = self.bn(x)
        if residual_norm is not None:
            residual = residual_norm(residual)
        if residual is not None:
            y += residual  # in place, as torchvision's blocks do
        return self.act(y)


def conv(cin, cout, k=3, stride=1):
    return nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)


def shortcut(cin, cout, stride):
    """None for identity, else a projection: 1x1 convolution + BatchNorm2d."""
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))


def add_shortcut(norm_act, y, x, down):
    """norm_act(y) plus x through the shortcut: its batch norm goes to
    norm_act, which fuses it when it can."""
    if down is None:
        return norm_act(y, x)
    return norm_act(y, down[0](x), down[1])


class Basic(nn.Module):
    def __init__(self, cin, cout, stride, kind):
        super().__init__()
        self.conv1, self.na1 = conv(cin, cout, 3, stride), NormAct(cout, kind)
        self.conv2, self.na2 = conv(cout, cout), NormAct(cout, kind)
        self.down = shortcut(cin, cout, stride)

    def forward(self, x):
        y = self.conv2(self.na1(self.conv1(x)))
        return add_shortcut(self.na2, y, x, self.down)


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, kind):
        super().__init__()
        cout = width * 4
        self.conv1, self.na1 = conv(cin, width, 1), NormAct(width, kind)
        self.conv2, self.na2 = conv(width, width, 3, stride), NormAct(width,
                                                                      kind)
        self.conv3, self.na3 = conv(width, cout, 1), NormAct(cout, kind)
        self.down = shortcut(cin, cout, stride)

    def forward(self, x):
        y = self.na2(self.conv2(self.na1(self.conv1(x))))
        return add_shortcut(self.na3, self.conv3(y), x, self.down)


MODELS = ("small", "plain", "resnet50")
# The variants --compile adds under torch.compile (inductor).
COMPILED = ("BN + nn.Mish", "BatchNormMish2d (fused)")


class Net(nn.Module):
    """small: stem + 4 basic blocks of 32, 64, 128, 256 channels (the last
    three with a projection shortcut); plain: stem + 4 basic blocks of 64
    channels (identity shortcuts); resnet50: ResNet-50."""

    def __init__(self, model, kind, classes=10):
        super().__init__()
        if model in ("small", "plain"):
            widths = (32, 64, 128, 256) if model == "small" else (64,) * 4
            self.stem, self.pool = conv(3, widths[0]), nn.Identity()
            self.stem_na = NormAct(widths[0], kind)
            blocks, cin = [], widths[0]
            for i, cout in enumerate(widths):
                blocks.append(Basic(cin, cout, 1 if cin == cout else 2, kind))
                cin = cout
        else:
            self.stem, self.pool = conv(3, 64, 7, 2), nn.MaxPool2d(3, 2, 1)
            self.stem_na = NormAct(64, kind)
            blocks, cin = [], 64
            for stage, (width, count) in enumerate(
                    ((64, 3), (128, 4), (256, 6), (512, 3))):
                for i in range(count):
                    stride = 2 if stage > 0 and i == 0 else 1
                    blocks.append(Bottleneck(cin, width, stride, kind))
                    cin = width * 4
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.pool(self.stem_na(self.stem(x)))
        x = self.blocks(x)
        return self.head(x.mean((2, 3)))


def storage_of(t):
    # untyped_storage() from torch 2.0 on; storage() before.
    return t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()


def saved_bytes(model, x, amp=None):
    """Bytes of the unique storages autograd saves in one forward pass."""
    own = {storage_of(t).data_ptr()
           for t in list(model.parameters()) + list(model.buffers())}
    seen = {}

    def pack(t):
        s = storage_of(t)
        if s.data_ptr() not in own:
            seen[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        with autocast(x.device, amp):
            model(x)
    return sum(seen.values())


def autocast(device, amp):
    return torch.autocast(device.type, dtype=amp, enabled=amp is not None)


def step_fn(model, x, target, amp):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with autocast(x.device, amp):
            loss = nn.functional.cross_entropy(model(x), target)
        loss.backward()
        optimizer.step()

    return step


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_step_bytes(step, device):
    if device.type != "cuda":
        return None
    sync(device)
    before = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    step()
    sync(device)
    return torch.cuda.max_memory_allocated(device) - before


def timed_rounds(fns, rounds, device):
    """Median seconds of each fn, interleaved: every round runs each once, so
    load changes on the machine affect all of them alike."""
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def layer_table(args, device, fmt, amp):
    """Forward + backward of the norm-activation layer alone, with residual,
    on [batch, 64, size, size]."""
    shape = (args.batch, 64, args.size, args.size)
    x = torch.randn(shape, device=device).contiguous(memory_format=fmt)
    r = torch.randn(shape, device=device).contiguous(memory_format=fmt)
    dy = torch.randn(shape, device=device).contiguous(memory_format=fmt)
    fns = {}
    for label, kind in VARIANTS.items():
        layer = NormAct(64, kind).to(device)

        def fn(layer=layer):
            # Both inputs need their gradient, as in a residual block.
            xi = x.detach().requires_grad_()
            ri = r.detach().requires_grad_()
            with autocast(device, amp):
                y = layer(xi, ri)
            y.backward(dy.to(y.dtype))

        fn()
        fns[label] = fn
    medians = timed_rounds(fns, args.steps, device)
    base = medians["BN + ReLU(inplace)"]
    print(f"\nLayer alone (forward + backward, residual), {list(shape)}:\n")
    print("| layer | ms (median) | ratio |")
    print("|---|---|---|")
    for label, t in medians.items():
        print(f"| {label} | {t * 1e3:.2f} | {t / base:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", choices=MODELS,
                        default="small")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--amp", choices=("bfloat16", "float16"),
                        help="autocast dtype (default: float32 throughout)")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--steps", type=int, default=10,
                        help="timed steps per variant (interleaved)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true",
                        help="also torch.compile'd networks (torch >= 2.1)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    amp = getattr(torch, args.amp) if args.amp else None
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size, device=device)
    x = x.contiguous(memory_format=fmt)
    target = torch.randint(0, 10, (args.batch,), device=device)

    variants = [(label, kind, False) for label, kind in VARIANTS.items()]
    if args.compile:  # inductor fuses the elementwise work of BN + Mish
        variants += [(f"torch.compile({label})", VARIANTS[label], True)
                     for label in COMPILED]
    rows = {}
    for label, kind, compiled in variants:
        torch.manual_seed(0)
        model = Net(args.model, kind).to(device, memory_format=fmt)
        if compiled:
            model = torch.compile(model)
        step = step_fn(model, x, target, amp)
        step()  # warm-up: allocator, kernels, optimizer state
        rows[label] = {"step": step, "saved": saved_bytes(model, x, amp),
                       "peak": peak_step_bytes(step, device)}
    medians = timed_rounds({k: v["step"] for k, v in rows.items()},
                           args.steps, device)

    base = rows["BN + ReLU(inplace)"]
    base_time = medians["BN + ReLU(inplace)"]
    print(f"{args.model}, batch {args.batch}, {args.size} px, "
          f"{args.amp or 'float32'}, "
          f"{'channels-last' if args.channels_last else 'NCHW'}, "
          f"{args.device}, {args.threads} threads, {args.steps} steps, "
          f"torch {torch.__version__}\n")
    peak = device.type == "cuda"
    header = "| layer | saved MiB | ratio |"
    header += " peak MiB | ratio |" if peak else ""
    header += " step ms (median) | ratio |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for label, row in rows.items():
        t = medians[label]
        line = (f"| {label} | {row['saved'] / 2**20:.1f} | "
                f"{row['saved'] / base['saved']:.2f} |")
        if peak:
            line += (f" {row['peak'] / 2**20:.1f} | "
                     f"{row['peak'] / base['peak']:.2f} |")
        line += f" {t * 1e3:.1f} | {t / base_time:.2f} |"
        print(line)
    layer_table(args, device, fmt, amp)


if __name__ == "__main__":
    main()
