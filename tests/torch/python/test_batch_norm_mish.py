"""mish_torch.BatchNormMish2d and torch.ops.mish.batch_norm_mish: gradcheck
and gradgradcheck in float64, agreement with BatchNorm2d + Mish, state dicts
both ways, a residual through its own batch norm, Meta tensors, autocast,
and the activation memory it saves."""

import importlib.util
import pathlib
import unittest

import torch
from torch import nn

import mish_torch

ROOT = pathlib.Path(__file__).resolve().parents[3]


def bench_module():
    """bench/torch/batch_norm_mish.py: its network and saved-bytes count."""
    path = ROOT / "bench" / "torch" / "batch_norm_mish.py"
    spec = importlib.util.spec_from_file_location("bn_mish_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def op(x, residual, weight, bias, running_mean, running_var, training):
    return torch.ops.mish.batch_norm_mish(
        x, residual, weight, bias, running_mean, running_var, training, 0.1,
        1e-3)


class GradCheck(unittest.TestCase):
    def inputs(self, channels_last):
        torch.manual_seed(0)
        f64 = dict(dtype=torch.float64)
        x = torch.randn(3, 4, 3, 5, **f64) * 2 + 1
        r = torch.randn(3, 4, 3, 5, **f64)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
            r = r.contiguous(memory_format=torch.channels_last)
        w = torch.rand(4, **f64) + 0.5
        b = torch.randn(4, **f64)
        stats = (torch.randn(4, **f64), torch.rand(4, **f64) + 0.5)
        return [t.requires_grad_() for t in (x, r, w, b)], stats

    def test_gradcheck_and_gradgradcheck(self):
        for channels_last in (False, True):
            for training in (True, False):
                for with_residual in (True, False):
                    (x, r, w, b), (rm, rv) = self.inputs(channels_last)

                    def fn(x, r, w, b):
                        return op(x, r if with_residual else None, w, b,
                                  rm.clone(), rv.clone(), training)

                    with self.subTest(channels_last=channels_last,
                                      training=training,
                                      residual=with_residual):
                        self.assertTrue(torch.autograd.gradcheck(
                            fn, (x, r, w, b)))
                        self.assertTrue(torch.autograd.gradgradcheck(
                            fn, (x, r, w, b)))

    def test_normalized_residual(self):
        """mish(bn(x) + bn_r(r)): gradients for x, r and both batch norms'
        parameters, the two in the same mode or not."""
        for channels_last in (False, True):
            for training, r_training in ((True, True), (False, False),
                                         (True, False)):
                (x, r, w, b), (rm, rv) = self.inputs(channels_last)
                rw = (torch.rand(4, dtype=torch.float64) + 0.5).requires_grad_()
                rb = torch.randn(4, dtype=torch.float64).requires_grad_()

                def fn(x, r, w, b, rw, rb):
                    return torch.ops.mish.batch_norm_mish(
                        x, r, w, b, rm.clone(), rv.clone(), training, 0.1,
                        1e-3, True, rw, rb, rm.clone() * 0.5, rv.clone() * 2,
                        r_training, 0.2, 1e-4)

                with self.subTest(channels_last=channels_last,
                                  training=training, r_training=r_training):
                    args = (x, r, w, b, rw, rb)
                    self.assertTrue(torch.autograd.gradcheck(fn, args))
                    self.assertTrue(torch.autograd.gradgradcheck(fn, args))

    def test_without_affine(self):
        (x, r, _, _), (rm, rv) = self.inputs(False)
        self.assertTrue(torch.autograd.gradcheck(
            lambda x, r: op(x, r, None, None, rm.clone(), rv.clone(), True),
            (x, r)))


class OutputMask(unittest.TestCase):
    """The backward computes the gradients asked for, and only those."""

    def args(self, mask):
        torch.manual_seed(0)
        x, r, dy = (torch.randn(2, 3, 4, 5) for _ in range(3))
        stats = [torch.rand(3) + 0.5 for _ in range(8)]
        return (dy, x, r, stats[0], stats[1], stats[2], stats[3], True, True,
                stats[4], stats[5], stats[6], stats[7], True, mask)

    def test_each_gradient_alone_equals_the_full_backward(self):
        full = torch.ops.mish.batch_norm_mish_backward(*self.args([True] * 6))
        for i in range(6):
            mask = [j == i for j in range(6)]
            with self.subTest(gradient=i):
                grads = torch.ops.mish.batch_norm_mish_backward(
                    *self.args(mask))
                for j, g in enumerate(grads):
                    if j == i:
                        torch.testing.assert_close(g, full[j])
                    else:
                        self.assertIsNone(g)

    def test_autograd_asks_only_for_what_requires_grad(self):
        torch.manual_seed(0)
        x = torch.randn(4, 3, 5, 5)
        fused = mish_torch.BatchNormMish2d(3)
        bn = nn.BatchNorm2d(3)
        bn.load_state_dict(fused.state_dict())
        # The input needs no gradient, the parameters do.
        fused(x).square().sum().backward()
        nn.functional.mish(bn(x)).square().sum().backward()
        torch.testing.assert_close(fused.weight.grad, bn.weight.grad)
        torch.testing.assert_close(fused.bias.grad, bn.bias.grad)
        # And the other way round.
        fused.requires_grad_(False)
        bn.requires_grad_(False)
        xf = x.clone().requires_grad_()
        xb = x.clone().requires_grad_()
        fused(xf).square().sum().backward()
        nn.functional.mish(bn(xb)).square().sum().backward()
        torch.testing.assert_close(xf.grad, xb.grad)


class Module(unittest.TestCase):
    def test_matches_batchnorm2d_and_mish(self):
        for momentum in (0.1, None):
            torch.manual_seed(0)
            bn = nn.BatchNorm2d(6, momentum=momentum)
            fused = mish_torch.BatchNormMish2d(6, momentum=momentum)
            nn.init.uniform_(bn.weight, 0.5, 1.5)
            nn.init.normal_(bn.bias)
            fused.load_state_dict(bn.state_dict())
            for _ in range(3):
                x = torch.randn(4, 6, 5, 5, requires_grad=True)
                r = torch.randn(4, 6, 5, 5)
                expected = nn.functional.mish(bn(x) + r)
                actual = fused(x, r)
                torch.testing.assert_close(actual, expected)
                dy = torch.randn_like(x)
                gx, gw = torch.autograd.grad(expected, (x, bn.weight), dy)
                fx, fw = torch.autograd.grad(actual, (x, fused.weight), dy)
                torch.testing.assert_close(fx, gx, rtol=1e-4, atol=1e-5)
                torch.testing.assert_close(fw, gw, rtol=1e-4, atol=1e-5)
            for key, value in bn.state_dict().items():
                torch.testing.assert_close(fused.state_dict()[key], value)
            bn.eval()
            fused.eval()
            x = torch.randn(1, 6, 3, 3)
            torch.testing.assert_close(fused(x), nn.functional.mish(bn(x)))

    def test_residual_norm_matches_the_shortcut_batchnorm2d(self):
        """forward(x, r, shortcut_bn) = mish(bn(x) + shortcut_bn(r)), with
        shortcut_bn's running statistics and count updated alike."""
        for momentum in (0.1, None):
            torch.manual_seed(0)
            bn, sbn = nn.BatchNorm2d(6), nn.BatchNorm2d(6, momentum=momentum)
            fused = mish_torch.BatchNormMish2d(6)
            fused_sbn = nn.BatchNorm2d(6, momentum=momentum)
            for module in (bn, sbn):
                nn.init.uniform_(module.weight, 0.5, 1.5)
                nn.init.normal_(module.bias)
            fused.load_state_dict(bn.state_dict())
            fused_sbn.load_state_dict(sbn.state_dict())
            for _ in range(3):
                x = torch.randn(4, 6, 5, 5, requires_grad=True)
                r = torch.randn(4, 6, 5, 5, requires_grad=True)
                expected = nn.functional.mish(bn(x) + sbn(r))
                actual = fused(x, r, fused_sbn)
                torch.testing.assert_close(actual, expected)
                dy = torch.randn_like(x)
                want = torch.autograd.grad(expected, (x, r, sbn.weight,
                                                      sbn.bias), dy)
                got = torch.autograd.grad(actual, (x, r, fused_sbn.weight,
                                                   fused_sbn.bias), dy)
                for g, w in zip(got, want):
                    torch.testing.assert_close(g, w, rtol=1e-4, atol=1e-5)
            for key, value in sbn.state_dict().items():
                torch.testing.assert_close(fused_sbn.state_dict()[key], value)
            for module in (bn, sbn, fused, fused_sbn):
                module.eval()
            x, r = torch.randn(1, 6, 3, 3), torch.randn(1, 6, 3, 3)
            torch.testing.assert_close(fused(x, r, fused_sbn),
                                       nn.functional.mish(bn(x) + sbn(r)))
        with self.assertRaisesRegex(ValueError, "needs a residual"):
            fused(x, None, fused_sbn)

    def test_state_dict_loads_both_ways(self):
        bn = nn.BatchNorm2d(3)
        fused = mish_torch.BatchNormMish2d(3)
        self.assertEqual(list(bn.state_dict()), list(fused.state_dict()))
        fused(torch.randn(2, 3, 4, 4))
        bn.load_state_dict(fused.state_dict())
        torch.testing.assert_close(bn.running_mean, fused.running_mean)
        self.assertEqual(int(bn.num_batches_tracked), 1)

    def test_without_running_stats(self):
        fused = mish_torch.BatchNormMish2d(3, track_running_stats=False,
                                           affine=False)
        bn = nn.BatchNorm2d(3, track_running_stats=False, affine=False)
        fused.eval()
        bn.eval()
        x = torch.randn(2, 3, 4, 4)
        torch.testing.assert_close(fused(x), nn.functional.mish(bn(x)))


class Formats(unittest.TestCase):
    def test_meta_tensors(self):
        x = torch.empty(2, 3, 4, 5, device="meta").contiguous(
            memory_format=torch.channels_last)
        stats = torch.empty(3, device="meta")
        y = op(x, x, stats, stats, stats, stats, True)
        self.assertEqual(y.device.type, "meta")
        self.assertEqual(y.shape, x.shape)
        self.assertTrue(y.is_contiguous(memory_format=torch.channels_last))
        grads = torch.ops.mish.batch_norm_mish_backward(
            x, x, x, stats, None, stats, stats, True, True, stats, None,
            stats, stats, True, [True] * 6)
        self.assertEqual(grads[0].shape, x.shape)
        self.assertEqual(grads[1].shape, x.shape)
        self.assertEqual(grads[2].shape, (3,))
        self.assertIsNone(grads[3])
        self.assertEqual(grads[4].shape, (3,))
        self.assertIsNone(grads[5])
        y = torch.ops.mish.batch_norm_mish(x, x, stats, stats, stats, stats,
                                           True, 0.1, 1e-5, True, stats,
                                           stats, stats, stats, True, 0.1,
                                           1e-5)
        self.assertEqual(y.shape, x.shape)

    def test_autocast_keeps_low_precision_and_saves_no_float32_copy(self):
        model = nn.Sequential(nn.Conv2d(3, 8, 3, bias=False),
                              mish_torch.BatchNormMish2d(8))
        x = torch.randn(2, 3, 8, 8)
        saved = []
        with torch.autograd.graph.saved_tensors_hooks(
                lambda t: saved.append(t) or t, lambda t: t):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                y = model(x)
        self.assertEqual(y.dtype, torch.bfloat16)
        big = [t.dtype for t in saved if t.numel() >= y.numel()]
        self.assertNotIn(torch.float32, big)


class Memory(unittest.TestCase):
    """The point of the layer: ReLU(inplace)'s activation memory."""

    def saved(self, model, x):
        bench = bench_module()
        result = {}
        for kind in ("relu", "torch_mish", "fused"):
            torch.manual_seed(0)
            net = bench.Net(model, kind)
            result[kind] = bench.saved_bytes(net, x)
        return net, result

    def test_identity_shortcuts_keep_relu_memory(self):
        _, saved = self.saved("plain", torch.randn(4, 3, 16, 16))
        self.assertLessEqual(saved["fused"], 1.02 * saved["relu"], saved)
        self.assertGreater(saved["torch_mish"], 1.3 * saved["relu"], saved)

    def test_projection_shortcuts_keep_relu_memory(self):
        # The shortcut's batch norm is fused too: only its input is kept,
        # which that batch norm keeps anyway when it is not fused.
        _, saved = self.saved("small", torch.randn(4, 3, 16, 16))
        self.assertLessEqual(saved["fused"], 1.02 * saved["relu"], saved)
        self.assertGreater(saved["torch_mish"], 1.3 * saved["relu"], saved)

if __name__ == "__main__":
    unittest.main()
