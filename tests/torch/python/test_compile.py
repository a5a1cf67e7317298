"""torch.compile (torch >= 2.1; skipped on older ones) of networks built on
the operators: no graph break (fullgraph=True), and the same results as
eager. Inductor: training (outputs, gradients, running statistics) and
eval, NCHW and channels-last, float32 and bfloat16 autocast, with
mish_torch.Mish, mish_torch.mish_ and BatchNormMish2d (a plain and a
normalized residual). aot_eager: dynamic shapes, and CUDA where present."""

import copy
import unittest

import torch
from torch import nn

import mish_torch

TORCH_VERSION = tuple(int(p) for p in torch.__version__.split(".")[:2])
NEEDS_2_1 = unittest.skipIf(
    TORCH_VERSION < (2, 1),
    f"torch.compile needs torch >= 2.1, this is {torch.__version__}")


def devices():
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


class InPlace(nn.Module):
    def forward(self, x):
        return mish_torch.mish_(x * 1.5)


class Block(nn.Module):
    """conv -> fused bn + mish -> conv -> fused bn + mish with the block's
    input as residual, through a projection's batch norm or as it is."""

    def __init__(self, channels, project):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = mish_torch.BatchNormMish2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = mish_torch.BatchNormMish2d(channels)
        self.project = project
        if project:
            self.shortcut = nn.Conv2d(channels, channels, 1, bias=False)
            self.shortcut_bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = self.conv2(self.bn1(self.conv1(x)))
        if self.project:
            return self.bn2(y, self.shortcut(x), self.shortcut_bn)
        return self.bn2(y, x)


def network(kind):
    torch.manual_seed(0)
    stem = nn.Conv2d(3, 8, 3, padding=1)
    body = {"mish": mish_torch.Mish(), "mish_": InPlace(),
            "plain": Block(8, project=False),
            "normalized": Block(8, project=True)}[kind]
    return nn.Sequential(stem, body, nn.Conv2d(8, 4, 3), mish_torch.Mish(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 3))


def close(actual, expected, dtype):
    # bfloat16 keeps 8 bits: a compiled graph may round in other places.
    tol = 1e-4 if dtype is None else 3e-2
    torch.testing.assert_close(actual, expected, rtol=tol, atol=tol)


@NEEDS_2_1
class Inductor(unittest.TestCase):
    def check(self, device, kind, channels_last, amp):
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        eager = network(kind).to(device, memory_format=fmt)
        model = copy.deepcopy(eager)
        compiled = torch.compile(model, fullgraph=True, backend="inductor")
        torch.manual_seed(1)
        x = torch.randn(4, 3, 10, 10, device=device).contiguous(
            memory_format=fmt)
        for training in (True, False):
            eager.train(training)
            model.train(training)
            with torch.autocast(device, dtype=torch.bfloat16,
                                enabled=amp is not None):
                xe = x.clone().requires_grad_()
                xc = x.clone().requires_grad_()
                ye, yc = eager(xe), compiled(xc)
            close(yc, ye, amp)
            ye.float().square().sum().backward()
            yc.float().square().sum().backward()
            close(xc.grad, xe.grad, amp)
            for (name, pe), pc in zip(eager.named_parameters(),
                                      model.parameters()):
                with self.subTest(parameter=name, training=training):
                    close(pc.grad, pe.grad, amp)
            for (name, be), bc in zip(eager.named_buffers(), model.buffers()):
                with self.subTest(buffer=name, training=training):
                    close(bc, be, amp)
            eager.zero_grad()
            model.zero_grad()

    def test_every_module_layout_and_dtype(self):
        for device in devices():
            for kind in ("mish", "mish_", "plain", "normalized"):
                for channels_last in (False, True):
                    for amp in (None, torch.bfloat16):
                        with self.subTest(device=device, kind=kind,
                                          channels_last=channels_last,
                                          amp=amp):
                            torch._dynamo.reset()
                            self.check(device, kind, channels_last, amp)


@NEEDS_2_1
class AotEager(unittest.TestCase):
    """Dynamic shapes through the Meta kernels, on every device."""

    def test_dynamic_shapes(self):
        for device in devices():
            for kind in ("mish", "normalized"):
                with self.subTest(device=device, kind=kind):
                    net = network(kind).to(device)
                    compiled = torch.compile(net, backend="aot_eager",
                                             fullgraph=True, dynamic=True)
                    for batch in (2, 3):
                        x = torch.randn(batch, 3, 9, 9, device=device,
                                        requires_grad=True)
                        y = compiled(x)
                        (grad,) = torch.autograd.grad(y.sum(), x)
                        x2 = x.detach().requires_grad_()
                        expected = net(x2)
                        (expected_grad,) = torch.autograd.grad(
                            expected.sum(), x2)
                        torch.testing.assert_close(y, expected, rtol=1e-5,
                                                   atol=1e-5)
                        torch.testing.assert_close(grad, expected_grad,
                                                   rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    unittest.main()
