"""Mish for PyTorch on the mish kernels (CPU SIMD, CUDA).

    import mish_torch
    y = mish_torch.mish(x)                        # torch.ops.mish.mish(x)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), mish_torch.Mish())
    bn = mish_torch.BatchNormMish2d(64)           # mish(bn(x) + residual)

Importing loads libmish_torch.so, which registers torch.ops.mish.mish, mish_
and mish_backward (with meta kernels), and registers their ONNX export with
torch.onnx.export's TorchScript exporter; onnx_translations() is the
dynamo exporter's custom_translation_table. The
library is looked up in $MISH_TORCH_LIBRARY, next to this package (pip
install), then in the lib directories of the install prefix when the package
sits in <prefix>/lib/python3*/{dist,site}-packages (cmake --install), or else
in the source checkout's build/release, build/pypi (cmake --preset release
or pypi) and build (cmake -B build) trees, skipping one built for another
torch. Only absolute paths are tried: nothing is resolved against the
current directory.
"""

import os
import pathlib
import sysconfig

import torch
from torch import nn

from . import _onnx
from ._onnx_dynamo import onnx_translations

__all__ = ["ACTIVATIONS", "BatchNormMish2d", "Conversion", "Mish", "convert",
           "library_path", "mish", "mish_", "onnx_translations"]

_LIBRARY = "libmish_torch.so"


def _candidates():
    here = pathlib.Path(__file__).resolve().parent
    yield here / _LIBRARY
    site, python = here.parent, here.parent.parent
    if site.name in ("dist-packages", "site-packages") and \
            python.name.startswith("python"):
        # <prefix>/lib/python3[.X]/{dist,site}-packages/mish_torch
        prefix = python.parent.parent
        multiarch = sysconfig.get_config_var("MULTIARCH") or ""
        for lib in ("lib", "lib64", os.path.join("lib", multiarch)):
            yield prefix / lib / _LIBRARY
    else:
        # <checkout>/python/mish_torch
        for build in ("build/release", "build/pypi", "build"):
            yield site.parent / build / "src" / "torch" / _LIBRARY


def _built_for_another_torch(library):
    """A build tree says which torch it was built against (torch-version
    beside the library): Debian's in build/release, PyPI's in build/pypi."""
    stamp = library.parent / "torch-version"
    if not stamp.is_file():
        return False
    built = stamp.read_text(encoding="utf-8").split(".")[:2]
    return built != torch.__version__.split("+")[0].split(".")[:2]


def _find_library():
    explicit = os.environ.get("MISH_TORCH_LIBRARY")
    if explicit:
        if not os.path.isfile(explicit):
            raise ImportError(
                f"MISH_TORCH_LIBRARY={explicit} is not a file")
        return os.path.abspath(explicit)
    candidates = list(dict.fromkeys(_candidates()))
    for candidate in candidates:
        if candidate.is_file() and not _built_for_another_torch(candidate):
            return str(candidate)
    raise ImportError(
        f"mish_torch: no {_LIBRARY} built for torch {torch.__version__}; "
        "build it (cmake --preset release with Debian's torch, --preset "
        "pypi with .venv's), pip install the package, or set "
        "MISH_TORCH_LIBRARY to its path. Looked in:\n  " +
        "\n  ".join(str(c) for c in candidates))


library_path = _find_library()
try:
    torch.ops.load_library(library_path)
except OSError as error:
    raise ImportError(
        f"mish_torch: cannot load {library_path} ({error}); it must be "
        f"built against this torch ({torch.__version__})") from error
_onnx.register()

from .batch_norm import BatchNormMish2d  # noqa: E402 (needs the operator)


def mish(x: torch.Tensor) -> torch.Tensor:
    """x * tanh(softplus(x)), differentiable twice and more."""
    return torch.ops.mish.mish(x)


def mish_(x: torch.Tensor) -> torch.Tensor:
    """In-place mish; fails on a leaf that requires grad, like torch's."""
    return torch.ops.mish.mish_(x)


class Mish(nn.Module):
    """A drop-in for torch.nn.Mish backed by the mish kernels."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.inplace:
            return torch.ops.mish.mish_(x)
        return torch.ops.mish.mish(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


from .convert import ACTIVATIONS, Conversion, convert  # noqa: E402
