"""ONNX export of the mish operators through torch.onnx.export(...,
dynamo=True), PyTorch 2.x's exporter, which takes the translation of custom
operators as an argument:

    torch.onnx.export(model, (x,), "model.onnx", dynamo=True,
                      custom_translation_table=mish_torch.onnx_translations())

That exporter writes opset 18 or newer, so Mish is ONNX's own operator. The
fused batch norm + Mish exports, in eval mode, as BatchNormalization (+ Add
of the residual, itself through a BatchNormalization when normalized)
followed by Mish, as the TorchScript exporter's registrations (_onnx.py) do.
"""


def onnx_translations():
    """{operator overload: onnxscript function} for every mish operator;
    needs onnxscript (PyPI), which the dynamo exporter needs anyway."""
    import torch
    from onnxscript import opset18 as op

    def mish(self):
        return op.Mish(self)

    def channel_constant(like, value):
        """value repeated over the channels of a per-channel tensor."""
        return op.Expand(op.CastLike(value, like), op.Shape(like))

    def batch_norm(input, weight, bias, mean, var, training, eps, what):
        if training or mean is None or var is None:
            raise ValueError(
                f"mish::batch_norm_mish exports in eval mode with running "
                f"statistics only ({what}: model.eval(), "
                f"track_running_stats=True)")
        weight = channel_constant(mean, 1.0) if weight is None else weight
        bias = channel_constant(mean, 0.0) if bias is None else bias
        return op.BatchNormalization(input, weight, bias, mean, var,
                                     epsilon=eps)

    def batch_norm_mish(input, residual, weight, bias, running_mean,
                        running_var, training: bool, momentum: float,
                        eps: float, normalize_residual: bool = False,
                        residual_weight=None, residual_bias=None,
                        residual_running_mean=None,
                        residual_running_var=None,
                        residual_training: bool = True,
                        residual_momentum: float = 0.1,
                        residual_eps: float = 1e-5):
        z = batch_norm(input, weight, bias, running_mean, running_var,
                       training, eps, "the input's batch norm")
        if normalize_residual:
            residual = batch_norm(
                residual, residual_weight, residual_bias,
                residual_running_mean, residual_running_var,
                residual_training, residual_eps, "the residual's batch norm")
        if residual is not None:
            z = op.Add(z, residual)
        return op.Mish(z)

    ops = torch.ops.mish
    return {ops.mish.default: mish, ops.mish_.default: mish,
            ops.batch_norm_mish.default: batch_norm_mish}
