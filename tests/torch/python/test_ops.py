"""torch.ops.mish on the CPU: agreement, dtypes, layouts, errors, modules."""

import math
import unittest

import torch
import torch.nn.functional as F

import mish_torch


def wide_range(dtype=torch.float64):
    return torch.cat([torch.linspace(-100, 100, 200001, dtype=torch.float64),
                      torch.linspace(-3, 3, 60001, dtype=torch.float64)]
                     ).to(dtype)


class Agreement(unittest.TestCase):
    def test_float32_matches_torch(self):
        x = wide_range(torch.float32)
        # torch loses up to ~50 ULP in the tail; subnormals fall in atol.
        torch.testing.assert_close(mish_torch.mish(x), F.mish(x),
                                   rtol=1e-5, atol=1e-38)

    def test_float32_matches_float64(self):
        x = wide_range(torch.float32)
        torch.testing.assert_close(mish_torch.mish(x).double(),
                                   F.mish(x.double()), rtol=5e-7, atol=1e-44)

    def test_float64_matches_torch(self):
        x = wide_range()
        torch.testing.assert_close(mish_torch.mish(x), F.mish(x),
                                   rtol=1e-13, atol=1e-300)

    def test_backward_matches_torch(self):
        for dtype, rtol, atol in ((torch.float32, 1e-5, 1e-6),
                                  (torch.float64, 1e-12, 1e-14)):
            x = wide_range(dtype)
            dy = torch.randn_like(x)
            torch.testing.assert_close(
                torch.ops.mish.mish_backward(dy, x),
                torch.ops.aten.mish_backward(dy, x), rtol=rtol, atol=atol)

    def test_special_values(self):
        for dtype in (torch.float32, torch.float64):
            x = torch.tensor([math.inf, -math.inf, math.nan, -0.0], dtype=dtype)
            y = mish_torch.mish(x).tolist()
            self.assertEqual(y[0], math.inf)
            self.assertEqual(math.copysign(1, y[1]), -1.0)
            self.assertEqual(y[1], 0.0)
            self.assertTrue(math.isnan(y[2]))
            self.assertEqual(math.copysign(1, y[3]), -1.0)


class Dtypes(unittest.TestCase):
    # Half an ULP of the 16-bit type plus float32's own error; atol covers
    # the subnormal spacing.
    CASES = ((torch.bfloat16, 1 / 128, 1e-38), (torch.float16, 1 / 1024, 6e-8))

    def test_forward_is_float32_rounded(self):
        for dtype, rtol, atol in self.CASES:
            x = wide_range(dtype)
            y = mish_torch.mish(x)
            self.assertEqual(y.dtype, dtype)
            expected = mish_torch.mish(x.float()).to(dtype)
            torch.testing.assert_close(y.float(), expected.float(),
                                       rtol=rtol, atol=atol)

    def test_backward_is_float32_rounded(self):
        for dtype, rtol, atol in self.CASES:
            x = wide_range(dtype)
            dy = torch.randn(x.shape).to(dtype)
            dx = torch.ops.mish.mish_backward(dy, x)
            self.assertEqual(dx.dtype, dtype)
            expected = torch.ops.mish.mish_backward(dy.float(), x.float())
            torch.testing.assert_close(dx.float(), expected.to(dtype).float(),
                                       rtol=rtol, atol=atol)

    def test_autograd_in_16_bit(self):
        for dtype in (torch.bfloat16, torch.float16):
            x = torch.randn(100).to(dtype).requires_grad_()
            mish_torch.mish(x).sum().backward()
            self.assertEqual(x.grad.dtype, dtype)


class Layouts(unittest.TestCase):
    def check(self, x):
        y = mish_torch.mish(x)
        torch.testing.assert_close(y, F.mish(x), rtol=1e-5, atol=1e-7)
        dy = torch.randn_like(x)
        torch.testing.assert_close(torch.ops.mish.mish_backward(dy, x),
                                   torch.ops.aten.mish_backward(dy, x),
                                   rtol=1e-5, atol=1e-6)
        return y

    def test_non_contiguous(self):
        self.check(torch.randn(64, 70)[:, 3:67:2])
        x = torch.randn(37, 53).t()
        self.assertEqual(self.check(x).stride(), x.stride())

    def test_channels_last(self):
        x = torch.randn(2, 3, 5, 7).to(memory_format=torch.channels_last)
        y = self.check(x)
        self.assertTrue(y.is_contiguous(memory_format=torch.channels_last))

    def test_zero_dim_and_empty(self):
        self.assertEqual(self.check(torch.tensor(0.75)).dim(), 0)
        self.assertEqual(mish_torch.mish(torch.empty(0, 3)).shape, (0, 3))
        self.assertEqual(mish_torch.mish_(torch.empty(0)).numel(), 0)

    def test_in_place_on_strided_view(self):
        base = torch.randn(16, 16)
        expected = base.clone()
        expected[:, ::3] = F.mish(expected[:, ::3])
        mish_torch.mish_(base[:, ::3])
        torch.testing.assert_close(base, expected, rtol=1e-5, atol=1e-7)


class Errors(unittest.TestCase):
    def test_rejects_non_floating(self):
        for dtype in (torch.int32, torch.int64, torch.uint8, torch.bool,
                      torch.complex64):
            x = torch.zeros(3, dtype=dtype)
            with self.assertRaisesRegex(RuntimeError, "floating-point"):
                mish_torch.mish(x)
            with self.assertRaisesRegex(RuntimeError, "floating-point"):
                mish_torch.mish_(x)
            with self.assertRaisesRegex(RuntimeError, "floating-point"):
                torch.ops.mish.mish_backward(x, x)

    def test_backward_rejects_mismatches(self):
        x = torch.randn(4, 5)
        with self.assertRaisesRegex(RuntimeError, "same shape"):
            torch.ops.mish.mish_backward(torch.randn(5, 4), x)
        with self.assertRaisesRegex(RuntimeError, "same dtype"):
            torch.ops.mish.mish_backward(x.double(), x)

    def test_in_place_on_leaf_requiring_grad(self):
        x = torch.randn(4, requires_grad=True)
        with self.assertRaisesRegex(RuntimeError, "leaf Variable"):
            mish_torch.mish_(x)
        with torch.no_grad():
            mish_torch.mish_(x)  # allowed, as for torch's own in-place ops

    def test_in_place_invalidates_saved_inputs(self):
        w = torch.randn(4, requires_grad=True)
        x = torch.randn(4)
        y = (x * w).sum()  # saves x for w's gradient
        mish_torch.mish_(x)
        with self.assertRaisesRegex(RuntimeError, "inplace"):
            y.backward()


class Autograd(unittest.TestCase):
    def test_saves_only_the_input(self):
        saved = []

        def pack(t):
            saved.append(t)
            return t

        x = torch.randn(1000, requires_grad=True)
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = mish_torch.mish(x)
        self.assertEqual(len(saved), 1)
        self.assertEqual(saved[0].data_ptr(), x.data_ptr())
        y.sum().backward()
        torch.testing.assert_close(
            x.grad, torch.ops.aten.mish_backward(torch.ones_like(x), x))

    def test_in_place_on_non_leaf(self):
        x = torch.randn(50, dtype=torch.float64, requires_grad=True)
        y = x * 1
        mish_torch.mish_(y)
        y.sum().backward()
        expected = torch.ops.aten.mish_backward(torch.ones_like(x), x)
        torch.testing.assert_close(x.grad, expected)


class Modules(unittest.TestCase):
    def test_mish_module(self):
        x = torch.randn(3, 8)
        torch.testing.assert_close(mish_torch.Mish()(x), torch.nn.Mish()(x))
        self.assertEqual(repr(mish_torch.Mish(inplace=True)),
                         "Mish(inplace=True)")

    def test_in_place_module(self):
        x = torch.randn(10)
        expected = F.mish(x)
        self.assertIs(mish_torch.Mish(inplace=True)(x), x)
        torch.testing.assert_close(x, expected)

    def test_trains_in_sequential(self):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 16), mish_torch.Mish(),
                                  torch.nn.Linear(16, 1))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
        x = torch.randn(64, 4)
        target = x.sum(1, keepdim=True).sin()
        losses = []
        for _ in range(50):
            optimizer.zero_grad()
            loss = F.mse_loss(net(x), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        self.assertLess(losses[-1], losses[0])


if __name__ == "__main__":
    unittest.main()
