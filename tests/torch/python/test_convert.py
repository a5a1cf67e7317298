"""mish_torch.convert on torchvision's resnet18, resnet50, mobilenet_v2,
efficientnet_b0 and a net written with functional activations: outputs,
gradients and running statistics equal to the same model with every
activation swapped for nn.Mish by hand (training and eval, float32, and
bfloat16 autocast), state dicts both ways, the fused layers counted, the
activation memory saved, fuse=False, the fallback for untraceable models."""

import copy
import unittest
import warnings

import torch
import torch.nn.functional as F
from torch import nn

import mish_torch
from test_batch_norm_mish import bench_module

try:
    import torchvision
except ImportError:
    torchvision = None

# (fused BatchNormMish2d, normalized residuals, batch norms left, modules
# kept whole), from the architectures: every BN of resnet18/50 fuses, with
# the projection shortcuts' BNs as normalized residuals; the inverted
# residual blocks' projection BNs have no activation after them; the 9
# efficientnet_b0 blocks with a residual call StochasticDepth, which reads
# self.training. Sizes of 64 px: at 32, resnet50's last stage normalizes 2
# values per channel, where rounding differences grow to 10%.
TORCHVISION = {
    "resnet18": (17, 3, 0, 0),
    "resnet50": (49, 4, 0, 0),
    "mobilenet_v2": (35, 0, 17, 0),
    "efficientnet_b0": (33, 0, 16, 9),
}


_THREADS = torch.get_num_threads()


def setUpModule():
    # Small inputs: one thread does it, without waiting on busy cores.
    torch.set_num_threads(1)


def tearDownModule():
    torch.set_num_threads(_THREADS)


def tensor_relu(x):
    return x.relu()


class FunctionalNet(nn.Module):
    """A residual net written with functional activations (relu in place,
    torch.relu, a discarded relu_ whose mutation is read later, leaky_relu,
    silu after a projection shortcut, hardswish, relu6, gelu, Tensor.relu);
    with mish=True, each is F.mish instead: the hand-made reference."""

    def __init__(self, mish=False):
        super().__init__()
        self.mish = mish
        c = 8
        self.conv = nn.ModuleList(
            [nn.Conv2d(3, c, 3, padding=1, bias=False)] +
            [nn.Conv2d(c, c, 3, padding=1, bias=False) for _ in range(6)])
        self.bn = nn.ModuleList(nn.BatchNorm2d(c) for _ in range(7))
        self.fc = nn.Linear(c, 5)

    def act(self, fn, x, *args, inplace=False, **kwargs):
        """fn as written (in place if asked), or Mish in its place."""
        if self.mish:
            # F.mish keeps its input for the backward pass: give it a copy.
            return x.copy_(F.mish(x.clone())) if inplace else F.mish(x)
        if inplace and fn in (F.relu, F.relu6, F.hardswish):
            return fn(x, *args, inplace=True, **kwargs)
        return fn(x, *args, **kwargs)

    def block(self, i, x):
        return self.bn[i](self.conv[i](x))

    def forward(self, x):
        a = self.act(F.relu, self.block(0, x), inplace=True)
        b = self.block(1, a)
        b += a
        b = self.act(torch.relu, b)
        c = self.block(2, b)
        self.act(torch.relu_, c, inplace=True)  # result read through c
        c = self.act(F.leaky_relu, c + b, 0.1)
        d = self.act(F.silu, self.block(3, c) + self.block(4, b))
        e = self.act(F.hardswish, self.block(5, d))
        f = self.block(6, e)
        f = self.act(F.relu6, f) + f  # f used twice: left
        pooled = self.act(tensor_relu, f.mean((2, 3)))
        return self.act(F.gelu, self.fc(pooled))


def hand_swapped(model):
    """model with each activation module replaced by nn.Mish."""
    model = copy.deepcopy(model)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, mish_torch.ACTIVATIONS):
                setattr(parent, name, nn.Mish())
    return model


def relative_error(actual, expected, scale=0.0):
    """Largest difference over the largest expected magnitude (or scale,
    where larger: a gradient that is zero but for rounding, like a
    convolution bias's before a batch norm, is judged on the model's
    scale)."""
    scale = max(float(expected.detach().abs().max()), scale, 1e-30)
    return float((actual.detach().float() - expected.detach().float())
                 .abs().max()) / scale


def run(model, x, amp):
    """Output, input gradient and parameter gradients of one step, with
    the random stream (dropout, stochastic depth) reset first."""
    model.zero_grad(set_to_none=True)
    x = x.detach().clone().requires_grad_()
    torch.manual_seed(1)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
        y = model(x)
    weights = torch.linspace(-1, 1, y.numel()).reshape(y.shape)
    (y.float() * weights).sum().backward()
    grads = {n: p.grad for n, p in model.named_parameters()
             if p.grad is not None}
    return y, x.grad, grads


def errors(got, expected):
    """Errors of one run against another: output, input gradient, and the
    worst parameter gradient (a gradient that is zero but for rounding,
    like a convolution bias's before a batch norm, judged on 1% of the
    model's largest)."""
    assert got[2].keys() == expected[2].keys()
    scale = 1e-2 * max(float(g.abs().max()) for g in expected[2].values())
    return {"output": relative_error(got[0], expected[0]),
            "input grad": relative_error(got[1], expected[1]),
            "parameter grads": max(
                relative_error(grad, expected[2][name], scale)
                for name, grad in got[2].items())}


class Agreement:
    """convert(model) against the model with nn.Mish by hand, for
    TestCases."""

    def assert_agree(self, converted, reference, x, tol=1e-4):
        """float32, training then eval; then the running statistics."""
        for training in (True, False):
            converted.train(training)
            reference.train(training)
            for what, error in errors(run(converted, x, False),
                                      run(reference, x, False)).items():
                self.assertLess(error, tol, f"{what}, training={training}")
        # Running statistics (projection shortcuts' included) move alike;
        # a mean near 0 is judged in standard deviations.
        states = converted.state_dict(), reference.state_dict()
        for name, tensor in states[1].items():
            if name.endswith("running_mean"):
                var = states[1][name.replace("running_mean", "running_var")]
                self.assertLess(relative_error(states[0][name], tensor,
                                               float(var.max().sqrt())),
                                tol, name)
            elif tensor.is_floating_point():
                self.assertLess(relative_error(states[0][name], tensor), tol,
                                name)
            else:
                self.assertTrue(torch.equal(states[0][name], tensor), name)

    def assert_bfloat16_tolerance(self, converted, unfused, reference, x):
        """Under bfloat16 autocast, against the float32 reference, the
        converted model errs no more than the unfused Mish model (torch
        1.13's nn.Mish has no bfloat16 on CPU; bfloat16 through ~50 layers
        at random initialization errs by 20% and more in gradients)."""
        for training in (True, False):
            for model in (converted, unfused, reference):
                model.train(training)
            expected = run(reference, x, False)
            got = errors(run(converted, x, True), expected)
            bound = errors(run(unfused, x, True), expected)
            for what, error in got.items():
                self.assertLess(error, 1.5 * bound[what] + 0.01,
                                f"{what}, training={training}")

    def check_both(self, model, reference, x):
        """float32 agreement, then bfloat16, each from the same start."""
        converted = mish_torch.convert(model)
        self.assert_agree(copy.deepcopy(converted), copy.deepcopy(reference),
                          x)
        self.assert_bfloat16_tolerance(
            converted, mish_torch.convert(model, fuse=False), reference, x)

    def check(self, model, x, counts):
        torch.manual_seed(0)
        converted = mish_torch.convert(model)
        self.assertEqual(converted.state_dict().keys(),
                         model.state_dict().keys())
        fused = [m for m in converted.modules()
                 if isinstance(m, mish_torch.BatchNormMish2d)]
        summary = converted.mish_conversion
        normalized = [f for f in summary.fused if "normalized" in f]
        self.assertEqual((len(fused), len(normalized), len(summary.left),
                          len(summary.kept_whole)), counts, str(summary))
        self.assertFalse(any(isinstance(m, mish_torch.ACTIVATIONS)
                             for m in converted.modules()))
        self.check_both(model, hand_swapped(model), x)


class Functional(Agreement, unittest.TestCase):
    def test_functional_activations(self):
        torch.manual_seed(0)
        model = FunctionalNet()
        reference = FunctionalNet(mish=True)
        reference.load_state_dict(model.state_dict())
        summary = mish_torch.convert(model).mish_conversion
        # bn.0-2 with their activation (bn.1, bn.2 with a residual), bn.3
        # with bn.4 as normalized residual, bn.5; bn.6 feeds two nodes.
        self.assertEqual(len(summary.fused), 5, str(summary))
        self.assertEqual(len([f for f in summary.fused if "normalized" in f]),
                         1)
        self.assertEqual(len(summary.left), 1)
        self.assertIn("bn.6: its output goes to 2 nodes", str(summary))
        self.assertEqual(len(summary.swapped), 4, str(summary))
        self.check_both(model, reference, torch.randn(2, 3, 12, 12))


@unittest.skipIf(torchvision is None, "needs torchvision")
class TorchVision(Agreement, unittest.TestCase):
    def model(self, name):
        torch.manual_seed(0)
        return getattr(torchvision.models, name)()

    def test_resnet18(self):
        self.check(self.model("resnet18"), torch.randn(2, 3, 64, 64),
                   TORCHVISION["resnet18"])

    def test_resnet50(self):
        self.check(self.model("resnet50"), torch.randn(2, 3, 64, 64),
                   TORCHVISION["resnet50"])

    def test_mobilenet_v2(self):
        self.check(self.model("mobilenet_v2"), torch.randn(2, 3, 64, 64),
                   TORCHVISION["mobilenet_v2"])

    def test_efficientnet_b0(self):
        self.check(self.model("efficientnet_b0"), torch.randn(2, 3, 64, 64),
                   TORCHVISION["efficientnet_b0"])

    def test_state_dicts_load_both_ways(self):
        model = self.model("resnet18")
        converted = mish_torch.convert(model)
        other = self.model("resnet18")
        for p in other.parameters():
            p.data.normal_()
        converted.load_state_dict(other.state_dict(), strict=True)
        model.load_state_dict(converted.state_dict(), strict=True)
        for name, tensor in other.state_dict().items():
            self.assertTrue(torch.equal(model.state_dict()[name], tensor),
                            name)

    def test_input_model_unchanged(self):
        model = self.model("resnet18")
        before = copy.deepcopy(model.state_dict())
        converted = mish_torch.convert(model)
        self.assertIsInstance(model.relu, nn.ReLU)
        self.assertIsInstance(model.bn1, nn.BatchNorm2d)
        run(converted.train(), torch.randn(2, 3, 32, 32), False)
        for name, tensor in model.state_dict().items():
            self.assertTrue(torch.equal(tensor, before[name]), name)

    def test_saved_activation_memory(self):
        """The converted model keeps ReLU(inplace)'s activation memory;
        nn.Mish by hand keeps much more."""
        saved_bytes = bench_module().saved_bytes
        x = torch.randn(2, 3, 64, 64)
        for name in ("resnet18", "resnet50"):
            model = self.model(name)
            relu = saved_bytes(model, x)
            converted = saved_bytes(mish_torch.convert(model), x)
            by_hand = saved_bytes(hand_swapped(model), x)
            self.assertLessEqual(converted, 1.02 * relu, name)
            self.assertGreater(by_hand, 1.2 * relu, name)

    def test_without_fusion(self):
        """fuse=False swaps only; BasicBlock's relu, called twice, is one
        Mish."""
        model = self.model("resnet18")
        converted = mish_torch.convert(model, fuse=False)
        self.assertFalse(any(isinstance(m, mish_torch.BatchNormMish2d)
                             for m in converted.modules()))
        block = converted.get_submodule("layer1.0")
        self.assertIsInstance(block.relu, mish_torch.Mish)
        self.assertEqual(len(converted.mish_conversion.swapped), 9)
        self.assertEqual(converted.mish_conversion.fused, [])
        self.assert_agree(converted, hand_swapped(model),
                          torch.randn(2, 3, 64, 64))

    def test_summary_says_what_was_left_and_why(self):
        text = str(mish_torch.convert(
            self.model("mobilenet_v2")).mish_conversion)
        self.assertIn("35 fused:", text)
        self.assertIn("17 left as they are:", text)
        self.assertIn("features.1.conv.2: its output goes to", text)
        self.assertIn("not an activation", text)


class Untraceable(nn.Module):
    """Control flow on a tensor's value: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.act = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x):
        y = self.act(self.bn(self.conv(x)))
        if y.sum() > 0:
            y = self.act(y)
        return y


class Dropping(nn.Module):
    """Dropout written by hand: a trace would keep the mode it saw."""

    def __init__(self):
        super().__init__()
        self.act = nn.SiLU()

    def forward(self, x):
        if self.training:
            x = x * (torch.rand_like(x) > 0.5) * 2
        return self.act(x)


class Fallback(Agreement, unittest.TestCase):
    def test_swaps_modules_and_warns_why(self):
        torch.manual_seed(0)
        model = Untraceable()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            converted = mish_torch.convert(model)
        messages = [str(w.message) for w in caught]
        self.assertEqual(len(messages), 1, messages)
        self.assertIn("cannot trace Untraceable", messages[0])
        self.assertIn("TraceError", messages[0])
        summary = converted.mish_conversion
        self.assertFalse(summary.traced)
        self.assertIn("not traced", str(summary))
        self.assertIsInstance(converted.act, mish_torch.Mish)
        self.assertTrue(converted.act.inplace)
        self.assertIsInstance(converted.bn, nn.BatchNorm2d)
        self.assertIsInstance(model.act, nn.LeakyReLU)
        self.assert_agree(converted, hand_swapped(model),
                          torch.randn(2, 3, 8, 8))

    def test_a_forward_that_reads_the_mode_is_not_traced(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            converted = mish_torch.convert(Dropping())
        self.assertIn("reads self.training", str(caught[0].message))
        self.assertIsInstance(converted.act, mish_torch.Mish)


if __name__ == "__main__":
    unittest.main()
