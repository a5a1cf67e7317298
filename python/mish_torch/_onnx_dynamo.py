"""ONNX export of the mish operators through torch.onnx.export(...,
dynamo=True), PyTorch 2.x's exporter, which takes the translation of custom
operators as an argument:

    torch.onnx.export(model, (x,), "model.onnx", dynamo=True,
                      custom_translation_table=mish_torch.onnx_translations())

That exporter writes opset 18 or newer, so Mish is ONNX's own operator (mish_
reaches it as mish: src/torch/mish_functionalize.cpp). The fused batch norm +
Mish reaches it as batch_norm_mish_functional
(src/torch/batch_norm_mish_functionalize.cpp) and exports, in eval mode, as
BatchNormalization, the Add of its residual (after its own
BatchNormalization when normalized), then Mish.
"""


def onnx_translations():
    """{operator overload: onnxscript function} for mish, mish_ and the fused
    batch norm + Mish; needs onnxscript (PyPI), which the dynamo exporter
    needs anyway."""
    import torch
    from onnxscript import opset18 as op

    def mish(self):
        return op.Mish(self)

    def batch_norm(input, weight, bias, running_mean, running_var, training,
                   eps, what):
        if training or running_mean is None:
            raise ValueError(
                f"mish::batch_norm_mish exports in eval mode with running "
                f"statistics only ({what}: model.eval(), "
                f"track_running_stats=True)")
        if weight is None:
            weight = op.Expand(op.Constant(value_float=1.0),
                               op.Shape(running_mean))
        if bias is None:
            bias = op.Expand(op.Constant(value_float=0.0),
                             op.Shape(running_mean))
        return op.BatchNormalization(input, weight, bias, running_mean,
                                     running_var, epsilon=eps)

    def batch_norm_mish(input, residual, weight, bias, running_mean,
                        running_var, training, momentum, eps,
                        normalize_residual=False, residual_weight=None,
                        residual_bias=None, residual_running_mean=None,
                        residual_running_var=None, residual_training=True,
                        residual_momentum=0.1, residual_eps=1e-5):
        z = batch_norm(input, weight, bias, running_mean, running_var,
                       training, eps, "the input's batch norm")
        if normalize_residual:
            residual = batch_norm(residual, residual_weight, residual_bias,
                                  residual_running_mean, residual_running_var,
                                  residual_training, residual_eps,
                                  "the residual's batch norm")
        if residual is not None:
            z = op.Add(z, residual)
        # batch_norm_mish_forward's statistics, then the running statistics,
        # unchanged in eval mode; what a plain residual does not have,
        # nothing reads.
        def invstd(var, eps):
            return op.Reciprocal(op.Sqrt(op.Add(var, op.Constant(
                value_float=eps))))
        if normalize_residual:
            r_mean = residual_running_mean
            r_invstd = invstd(residual_running_var, residual_eps)
        else:
            residual_running_mean = r_mean = running_mean
            residual_running_var = r_invstd = running_var
        return (op.Mish(z), op.Identity(running_mean),
                invstd(running_var, eps), op.Identity(r_mean),
                op.Identity(r_invstd),
                op.Identity(running_mean), op.Identity(running_var),
                op.Identity(residual_running_mean),
                op.Identity(residual_running_var))

    return {torch.ops.mish.mish.default: mish,
            torch.ops.mish.mish_.default: mish,
            torch.ops.mish.batch_norm_mish_functional.default:
                batch_norm_mish}
