"""ONNX export of the operators, from both of torch's exporters: the
TorchScript one (registered by `import mish_torch`; opsets 13 to 18) and,
with torch >= 2.5, the dynamo one (`dynamo=True`, with
mish_torch.onnx_translations()). Each file passes the onnx checker and runs
in OpenCV's DNN module and in ONNX Runtime (CPU), within 1e-5 of eager."""

import inspect
import io
import unittest

import numpy as np
import torch
import torch.nn.functional as F

import mish_torch

try:
    import cv2
    import onnx
except ImportError as error:  # scripts/install-deps.sh installs both
    raise unittest.SkipTest(f"ONNX export tests need onnx and OpenCV: {error}")
try:
    import onnxruntime
except ImportError:  # not a Debian package: the pypi configuration has it
    onnxruntime = None

TORCH_VERSION = tuple(int(p) for p in torch.__version__.split(".")[:2])
EXPORT_OPSETS = range(13, 18)
MISH_OPSET = 18
TOLERANCE = 1e-5


def max_opset():
    """The newest opset both torch's exporter and the onnx checker know."""
    constants = torch.onnx._constants
    exporter = getattr(constants, "ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET",
                       constants.ONNX_MAX_OPSET)
    return min(exporter, onnx.defs.onnx_opset_version())


NEEDS_DYNAMO = unittest.skipIf(
    TORCH_VERSION < (2, 5),
    f"the dynamo exporter needs torch >= 2.5, this is {torch.__version__}")


def export(model, x, opset):
    """The TorchScript exporter's file."""
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    buffer = io.BytesIO()
    torch.onnx.export(model, (x,), buffer, opset_version=opset,
                      input_names=["x"], output_names=["y"], **kwargs)
    return buffer.getvalue()


def export_dynamo(model, x):
    """The dynamo exporter's file, at its default opset."""
    program = torch.onnx.export(
        model, (x,), dynamo=True, verbose=False,
        custom_translation_table=mish_torch.onnx_translations())
    return program.model_proto.SerializeToString()


def check(test, data, x, expected):
    """data passes the checker and runs in every runtime here."""
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    net = cv2.dnn.readNetFromONNX(np.frombuffer(data, dtype=np.uint8))
    net.setInput(x.numpy())
    outputs = {"OpenCV": net.forward()}
    if onnxruntime is not None:
        session = onnxruntime.InferenceSession(
            data, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        outputs["ONNX Runtime"] = session.run(None, {name: x.numpy()})[0]
    for runtime, y in outputs.items():
        test.assertEqual(y.shape, expected.shape, runtime)
        test.assertLessEqual(float(np.abs(y - expected).max()), TOLERANCE,
                             runtime)
    return [node.op_type for node in model.graph.node]


class Runtimes(unittest.TestCase):
    @unittest.skipIf(onnxruntime is None,
                     "onnxruntime is not a Debian package (pypi "
                     "configuration: scripts/install-deps.sh --pypi)")
    def test_onnx_runtime_is_here(self):
        self.assertIn("CPUExecutionProvider",
                      onnxruntime.get_available_providers())


class Net(torch.nn.Module):
    """Conv -> BatchNorm -> mish, both module forms and the function."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.act1 = mish_torch.Mish()
        self.conv2 = torch.nn.Conv2d(8, 4, 3)
        self.act2 = mish_torch.Mish(inplace=True)

    def forward(self, x):
        x = self.act1(self.bn(self.conv1(x)))
        return mish_torch.mish(self.act2(self.conv2(x)) * 4)


class Export(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.net = Net()
        with torch.no_grad():  # statistics that are not the identity
            self.net.bn.running_mean.uniform_(-1, 1)
            self.net.bn.running_var.uniform_(0.5, 2)
        self.net.eval()
        # Wide enough to reach mish's negative tail and its linear part.
        self.x = torch.randn(2, 3, 11, 13) * 4
        with torch.no_grad():
            self.expected = self.net(self.x.clone()).numpy()

    def test_pattern_below_opset_18(self):
        for opset in EXPORT_OPSETS:
            with self.subTest(opset=opset):
                ops = check(self, export(self.net, self.x, opset), self.x,
                            self.expected)
                self.assertEqual(ops.count("Softplus"), 3, ops)
                self.assertEqual(ops.count("Tanh"), 3, ops)
                self.assertNotIn("Mish", ops)
                model = onnx.load_from_string(export(self.net, self.x, opset))
                self.assertFalse(any(n.domain for n in model.graph.node))

    @unittest.skipIf(max_opset() < MISH_OPSET,
                     f"torch {torch.__version__} with onnx {onnx.__version__} "
                     f"exports and checks up to opset {max_opset()}")
    def test_mish_operator_from_opset_18(self):
        ops = check(self, export(self.net, self.x, MISH_OPSET), self.x,
                    self.expected)
        self.assertEqual(ops.count("Mish"), 3, ops)
        self.assertNotIn("Softplus", ops)

    @NEEDS_DYNAMO
    def test_dynamo_exporter(self):
        ops = check(self, export_dynamo(self.net, self.x), self.x,
                    self.expected)
        self.assertEqual(ops.count("Mish"), 3, ops)


BATCH_NORM_MISH = (
    "batch_norm_mish(Tensor input, Tensor? residual, Tensor? weight, "
    "Tensor? bias, Tensor(a!)? running_mean, Tensor(b!)? running_var, "
    "bool training, float momentum, float eps, "
    "bool normalize_residual=False, Tensor? residual_weight=None, "
    "Tensor? residual_bias=None, Tensor(c!)? residual_running_mean=None, "
    "Tensor(d!)? residual_running_var=None, bool residual_training=True, "
    "float residual_momentum=0.1, float residual_eps=1e-05) -> Tensor")


def batch_norm_mish_op():
    """torch.ops.mish.batch_norm_mish when the library has it; otherwise a
    stand-in with its schema (composed of torch's ops) in a test namespace,
    whose export is registered by the same code."""
    try:
        return torch.ops.mish.batch_norm_mish
    except (AttributeError, RuntimeError):
        pass
    library = torch.library.Library("mish_onnx_test", "DEF")
    library.define(BATCH_NORM_MISH)

    def reference(input, residual, weight, bias, running_mean, running_var,
                  training, momentum, eps, normalize_residual=False,
                  residual_weight=None, residual_bias=None,
                  residual_running_mean=None, residual_running_var=None,
                  residual_training=True, residual_momentum=0.1,
                  residual_eps=1e-5):
        z = F.batch_norm(input, running_mean, running_var, weight, bias,
                         training, momentum, eps)
        if normalize_residual:
            residual = F.batch_norm(
                residual, residual_running_mean, residual_running_var,
                residual_weight, residual_bias, residual_training,
                residual_momentum, residual_eps)
        return F.mish(z if residual is None else z + residual)

    library.impl("batch_norm_mish", reference, "CPU")
    batch_norm_mish_op.library = library  # registrations live with it
    mish_torch._onnx.register("mish_onnx_test")
    return torch.ops.mish_onnx_test.batch_norm_mish


class BatchNormMish(torch.nn.Module):
    """The op on the network's input: after a convolution, the exporter
    would fold the batch norm into it."""

    def __init__(self, op, channels, affine, residual):
        super().__init__()
        self.op = op
        self.residual = residual  # None, "plain" or "normalized"
        self.bn = torch.nn.BatchNorm2d(channels, affine=affine)
        self.shortcut_bn = torch.nn.BatchNorm2d(channels, affine=affine)

    def forward(self, x):
        bn, sbn = self.bn, self.shortcut_bn
        args = (x, x * 0.5 if self.residual else None, bn.weight, bn.bias,
                bn.running_mean, bn.running_var, False, bn.momentum, bn.eps)
        if self.residual != "normalized":
            return self.op(*args)
        return self.op(*args, True, sbn.weight, sbn.bias, sbn.running_mean,
                       sbn.running_var, False, sbn.momentum, sbn.eps)


class ExportBatchNormMish(unittest.TestCase):
    def networks(self):
        """(affine, residual, network, expected output) for each kind."""
        x = torch.randn(2, 5, 7, 6) * 2
        for affine in (True, False):
            for residual in (None, "plain", "normalized"):
                torch.manual_seed(0)
                net = BatchNormMish(batch_norm_mish_op(), 5, affine,
                                    residual).eval()
                with torch.no_grad():
                    for bn in (net.bn, net.shortcut_bn):
                        bn.running_mean.uniform_(-1, 1)
                        bn.running_var.uniform_(0.5, 2)
                        if affine:
                            bn.weight.uniform_(0.5, 2)
                            bn.bias.uniform_(-1, 1)
                    expected = net(x).numpy()
                yield affine, residual, net, x, expected

    def test_batch_norm_then_mish(self):
        for affine, residual, net, x, expected in self.networks():
            for opset in list(EXPORT_OPSETS) + [MISH_OPSET]:
                if opset > max_opset():
                    continue
                with self.subTest(affine=affine, residual=residual,
                                  opset=opset):
                    ops = check(self, export(net, x, opset), x, expected)
                    mish = ["Softplus", "Tanh", "Mul"]
                    if opset >= MISH_OPSET:
                        mish = ["Mish"]
                    self.assertEqual(
                        sorted(op for op in ops if op != "Constant"), sorted(
                            ["BatchNormalization"] + mish +
                            ["Add", "Mul"] * (residual is not None) +
                            ["BatchNormalization"] *
                            (residual == "normalized")))

    @NEEDS_DYNAMO
    def test_dynamo_exporter(self):
        for affine, residual, net, x, expected in self.networks():
            with self.subTest(affine=affine, residual=residual):
                ops = check(self, export_dynamo(net, x), x, expected)
                self.assertEqual(ops.count("BatchNormalization"),
                                 1 + (residual == "normalized"), ops)
                self.assertEqual(ops.count("Mish"), 1, ops)

    @NEEDS_DYNAMO
    def test_dynamo_exporter_of_the_module(self):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3),
                                  mish_torch.BatchNormMish2d(8))
        x = torch.randn(2, 3, 9, 9)
        net(x)  # running statistics that are not the identity
        net.eval()
        with torch.no_grad():
            expected = net(x).numpy()
        ops = check(self, export_dynamo(net, x), x, expected)
        self.assertIn("Mish", ops)


if __name__ == "__main__":
    unittest.main()
