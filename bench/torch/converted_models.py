"""mish_torch.convert on whole models: activation bytes autograd keeps for
the backward pass, and training-step time, measured interleaved and given
as ratios to the model with its in-place activation (the baseline).

    /usr/bin/python3 bench/torch/converted_models.py --model cspdarknet53
    /usr/bin/python3 bench/torch/converted_models.py --model resnet50

CSPDarknet-53 (bench/torch/cspdarknet.py) with LeakyReLU(0.1, inplace),
YOLOv4's baseline activation, against nn.Mish, mish_torch.Mish and the
baseline converted (every batch norm fused with its Mish); torchvision's
resnet50 with ReLU(inplace) against it converted. Needs libmish_torch.so
(see python/mish_torch) and, for resnet50, torchvision.
"""

import argparse
import copy

import torch
from torch import nn

import mish_torch
from batch_norm_mish import saved_bytes, step_fn, timed_rounds
from cspdarknet import CSPDarknet53


def cspdarknet53(widen):
    torch.manual_seed(0)
    base = CSPDarknet53(lambda: nn.LeakyReLU(0.1, inplace=True), widen=widen)
    variants = {"LeakyReLU(0.1, inplace)": base}
    for label, act in (("nn.Mish", nn.Mish),
                       ("mish_torch.Mish", mish_torch.Mish)):
        model = CSPDarknet53(act, widen=widen)
        model.load_state_dict(base.state_dict())
        variants[label] = model
    variants["converted (fused)"] = mish_torch.convert(base)
    return variants


def resnet50(widen):
    import torchvision
    if widen != 1.0:
        raise SystemExit("--widen applies to cspdarknet53 only")
    torch.manual_seed(0)
    base = torchvision.models.resnet50(num_classes=10)
    return {"ReLU(inplace)": base,
            "converted (fused)": mish_torch.convert(base)}


MODELS = {"cspdarknet53": cspdarknet53, "resnet50": resnet50}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="cspdarknet53")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--widen", type=float, default=1.0)
    parser.add_argument("--steps", type=int, default=10,
                        help="timed steps per variant (interleaved)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = torch.device("cpu")
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size)
    target = torch.randint(0, 10, (args.batch,))

    variants = MODELS[args.model](args.widen)
    saved, steps = {}, {}
    for label, model in variants.items():
        model = copy.deepcopy(model).train()
        saved[label] = saved_bytes(model, x)
        steps[label] = step_fn(model, x, target, None)
        steps[label]()  # warm-up: allocator, optimizer state
    medians = timed_rounds(steps, args.steps, device)

    base = next(iter(variants))
    fused = variants["converted (fused)"].mish_conversion.fused
    print(f"{args.model}, batch {args.batch}, {args.size} px, float32, "
          f"cpu, {args.threads} threads, {args.steps} steps, torch "
          f"{torch.__version__}; converted: {len(fused)} BatchNormMish2d\n")
    print("| variant | saved MiB | ratio | step ms (median) | ratio |")
    print("|---|---|---|---|---|")
    for label in variants:
        print(f"| {label} | {saved[label] / 2**20:.1f} | "
              f"{saved[label] / saved[base]:.3f} | "
              f"{medians[label] * 1e3:.0f} | "
              f"{medians[label] / medians[base]:.2f} |")


if __name__ == "__main__":
    main()
