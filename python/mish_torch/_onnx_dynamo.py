"""ONNX export of the elementwise mish operators through
torch.onnx.export(..., dynamo=True), PyTorch 2.x's exporter, which takes the
translation of custom operators as an argument:

    torch.onnx.export(model, (x,), "model.onnx", dynamo=True,
                      custom_translation_table=mish_torch.onnx_translations())

That exporter writes opset 18 or newer, so Mish is ONNX's own operator (mish_
reaches it as mish: src/torch/functionalize.cpp). The fused batch norm + Mish
writes its running statistics, and this exporter cannot translate a custom
operator that writes its inputs: it exports with the TorchScript exporter
(dynamo=False; _onnx.py).
"""


def onnx_translations():
    """{operator overload: onnxscript function} for mish and mish_; needs
    onnxscript (PyPI), which the dynamo exporter needs anyway."""
    import torch
    from onnxscript import opset18 as op

    def mish(self):
        return op.Mish(self)

    return {torch.ops.mish.mish.default: mish,
            torch.ops.mish.mish_.default: mish}
