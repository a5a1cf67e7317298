"""Meta tensors and FakeTensorMode (every torch), and torch.library.opcheck
(torch >= 2.4; skipped on older ones). torch.compile: test_compile.py."""

import unittest

import torch
from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode

import mish_torch

DTYPES = (torch.float32, torch.float64, torch.bfloat16, torch.float16)


def layouts():
    """Inputs in every layout the kernels distinguish, on the CPU."""
    yield torch.randn(3, 5)
    yield torch.randn(2, 3, 4, 5).to(memory_format=torch.channels_last)
    yield torch.randn(6, 7).t()                  # dense, not contiguous
    yield torch.randn(8, 9)[:, 1::3]             # not dense
    yield torch.tensor(0.5)                      # 0-dim
    yield torch.empty(0, 4)


def metadata(t):
    return t.shape, t.dtype, t.stride()


def on_meta(t):
    """A meta tensor with t's shape, dtype and strides (dense or not)."""
    return torch.empty_strided(t.shape, t.stride(), dtype=t.dtype,
                               device="meta")


class MetaTensors(unittest.TestCase):
    def test_forward_matches_cpu_layout(self):
        for dtype in DTYPES:
            for x in layouts():
                x = x.to(dtype)
                y = mish_torch.mish(on_meta(x))
                self.assertEqual(y.device.type, "meta")
                self.assertEqual(metadata(y), metadata(mish_torch.mish(x)))

    def test_backward_matches_cpu_layout(self):
        for x in layouts():
            for dy in (torch.randn(x.shape), torch.randn_like(x)):
                expected = torch.ops.mish.mish_backward(dy, x)
                dx = torch.ops.mish.mish_backward(on_meta(dy), on_meta(x))
                self.assertEqual(metadata(dx), metadata(expected))

    def test_in_place_returns_its_argument(self):
        for x in layouts():
            x = on_meta(x)
            shape, stride = x.shape, x.stride()
            self.assertIs(mish_torch.mish_(x), x)
            self.assertEqual((x.shape, x.stride()), (shape, stride))

    def test_errors_as_on_cpu(self):
        with self.assertRaisesRegex(RuntimeError, "floating-point"):
            mish_torch.mish(torch.zeros(3, dtype=torch.int32, device="meta"))
        x = torch.empty(4, 5, device="meta")
        with self.assertRaisesRegex(RuntimeError, "same shape"):
            torch.ops.mish.mish_backward(torch.empty(5, 4, device="meta"), x)
        with self.assertRaisesRegex(RuntimeError, "same dtype"):
            torch.ops.mish.mish_backward(x.double(), x)

    def test_module_on_meta_device(self):
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), mish_torch.Mish(),
                                  torch.nn.Linear(8, 2)).to("meta")
        y = net(torch.empty(16, 4, device="meta"))
        self.assertEqual((y.device.type, y.shape), ("meta", (16, 2)))


class FakeTensors(unittest.TestCase):
    def test_ops_under_fake_tensor_mode(self):
        x = torch.randn(2, 3, 4, 5).to(memory_format=torch.channels_last)
        expected = mish_torch.mish(x)
        with FakeTensorMode() as mode:
            fake = mode.from_tensor(x)
            y = torch.ops.mish.mish(fake)
            dx = torch.ops.mish.mish_backward(y, fake)
            self.assertIs(torch.ops.mish.mish_(fake), fake)
        for result in (y, dx):
            self.assertIsInstance(result, FakeTensor)
            self.assertEqual(metadata(result), metadata(expected))

    def test_batch_norm_mish_under_fake_tensor_mode(self):
        args = batch_norm_mish_args("cpu")
        expected = torch.ops.mish.batch_norm_mish(*args)
        with FakeTensorMode() as mode:
            fakes = [mode.from_tensor(a) if isinstance(a, torch.Tensor)
                     else a for a in args]
            y = torch.ops.mish.batch_norm_mish(*fakes)
        self.assertIsInstance(y, FakeTensor)
        self.assertEqual(metadata(y), metadata(expected))


def batch_norm_mish_args(device, residual="plain"):
    """Training-mode arguments of mish::batch_norm_mish on a channels-last
    input: no residual, a plain one, or one through its own batch norm (in
    eval mode, with its running statistics)."""
    x = torch.randn(2, 3, 4, 5, device=device).to(
        memory_format=torch.channels_last)

    def channels(fill):
        return fill(3, device=device)

    args = (x, None if residual is None else torch.randn_like(x),
            channels(torch.rand) + 0.5, channels(torch.randn),
            channels(torch.zeros), channels(torch.ones), True, 0.1, 1e-5)
    if residual != "normalized":
        return args
    return args + (True, channels(torch.rand) + 0.5, channels(torch.randn),
                   channels(torch.randn), channels(torch.rand) + 0.5, False,
                   0.1, 1e-5)


def devices():
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@unittest.skipUnless(hasattr(torch.library, "opcheck"),
                     f"torch.library.opcheck needs torch >= 2.4, this is "
                     f"{torch.__version__}")
class OpCheck(unittest.TestCase):
    def test_every_op(self):
        for device in devices():
            for x in layouts():
                x = x.to(device)
                dy = torch.randn_like(x)
                args = {
                    torch.ops.mish.mish.default: (x.requires_grad_(),),
                    torch.ops.mish.mish_.default: (x.detach().clone(),),
                    torch.ops.mish.mish_backward.default: (dy, x.detach()),
                }
                for op, op_args in args.items():
                    with self.subTest(op=str(op), device=device,
                                      shape=tuple(x.shape)):
                        torch.library.opcheck(op, op_args)
            for residual in (None, "plain", "normalized"):
                with self.subTest(op="batch_norm_mish", device=device,
                                  residual=residual):
                    torch.library.opcheck(
                        torch.ops.mish.batch_norm_mish.default,
                        batch_norm_mish_args(device, residual))


if __name__ == "__main__":
    unittest.main()
