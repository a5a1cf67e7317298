"""ONNX export of the mish operators through torch.onnx.export (the
TorchScript-based exporter; pass dynamo=False where torch defaults to the
other one).

Opset 18 has a Mish operator; opsets 9-17 get its definition,
Mul(x, Tanh(Softplus(x))), a pattern that deployment runtimes (OpenCV DNN,
TensorRT, ONNX Runtime) fuse back into one Mish. The fused batch norm + Mish
exports as BatchNormalization (+ Add of the residual, itself through a
BatchNormalization when normalized) followed by Mish.
"""

import torch
from torch.onnx import register_custom_op_symbolic, symbolic_helper

# The first opset with the Mish operator, and the first with Softplus, Tanh
# and BatchNormalization as used here.
MISH_OPSET = 18
PATTERN_OPSET = 9


def mish_pattern(g, self):
    return g.op("Mul", self, g.op("Tanh", g.op("Softplus", self)))


def mish_operator(g, self):
    return g.op("Mish", self)


def batch_norm_node(g, input, weight, bias, running_mean, running_var,
                    training, eps, what):
    """BatchNormalization of input with its running statistics; a missing
    weight or bias becomes its identity constant."""
    if training or symbolic_helper._is_none(running_mean):
        raise torch.onnx.errors.SymbolicValueError(
            f"mish::batch_norm_mish exports in eval mode with running "
            f"statistics only ({what}: model.eval(), "
            f"track_running_stats=True)", input)
    channels = symbolic_helper._get_tensor_dim_size(input, 1)
    if symbolic_helper._is_none(weight):
        weight = g.op("Constant", value_t=torch.ones(channels))
    if symbolic_helper._is_none(bias):
        bias = g.op("Constant", value_t=torch.zeros(channels))
    return g.op("BatchNormalization", input, weight, bias, running_mean,
                running_var, epsilon_f=eps)


def batch_norm_then(mish):
    """The export of mish(batch_norm(input) + residual) in inference (the
    residual through its own batch norm with normalize_residual), with
    `mish` the export of the activation at the target opset."""

    @symbolic_helper.parse_args("v", "v", "v", "v", "v", "v", "b", "f", "f",
                                "b", "v", "v", "v", "v", "b", "f", "f")
    def batch_norm_mish(g, input, residual, weight, bias, running_mean,
                        running_var, training, momentum, eps,
                        normalize_residual, residual_weight, residual_bias,
                        residual_running_mean, residual_running_var,
                        residual_training, residual_momentum, residual_eps):
        z = batch_norm_node(g, input, weight, bias, running_mean, running_var,
                            training, eps, "the input's batch norm")
        if normalize_residual:
            residual = batch_norm_node(
                g, residual, residual_weight, residual_bias,
                residual_running_mean, residual_running_var,
                residual_training, residual_eps, "the residual's batch norm")
        if not symbolic_helper._is_none(residual):
            z = g.op("Add", z, residual)
        return mish(g, z)

    return batch_norm_mish


def register(namespace="mish"):
    """Registers every operator's export; export picks the newest
    registration at or below the requested opset. The fused batch norm +
    Mish operator is registered whether or not the library has it."""
    for opset, mish in ((PATTERN_OPSET, mish_pattern),
                        (MISH_OPSET, mish_operator)):
        # mish_ exports like mish: ONNX values are immutable, and the traced
        # graph already uses mish_'s result wherever the input was
        # overwritten.
        for name in ("mish", "mish_"):
            register_custom_op_symbolic(f"{namespace}::{name}", mish, opset)
        register_custom_op_symbolic(f"{namespace}::batch_norm_mish",
                                    batch_norm_then(mish), opset)
