"""Mish for PyTorch on the mish kernels (CPU SIMD, CUDA).

    import mish_torch
    y = mish_torch.mish(x)                        # torch.ops.mish.mish(x)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), mish_torch.Mish())
    bn = mish_torch.BatchNormMish2d(64)           # mish(bn(x) + residual)

Importing loads libmish_torch.so, which registers torch.ops.mish.mish, mish_
and mish_backward. The library is looked up in $MISH_TORCH_LIBRARY, next to
this package, in the lib directories of the install prefix, in a build tree of
the source checkout, then by the dynamic loader's own search.
"""

import os
import pathlib
import sysconfig

import torch
from torch import nn

__all__ = ["BatchNormMish2d", "Mish", "library_path", "mish", "mish_"]

_LIBRARY = "libmish_torch.so"


def _candidates():
    here = pathlib.Path(__file__).resolve().parent
    yield here / _LIBRARY
    # <prefix>/lib[/<multiarch>]/python3.X/site-packages/mish_torch
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for parent in here.parents:
        for lib in ("lib", "lib64", os.path.join("lib", multiarch)):
            yield parent / lib / _LIBRARY
    # <checkout>/python/mish_torch with builds in <checkout>/build*/
    builds = here.parent.parent.glob("build*/src/torch/" + _LIBRARY)
    yield from sorted(builds, key=lambda p: p.stat().st_mtime, reverse=True)


def _find_library():
    explicit = os.environ.get("MISH_TORCH_LIBRARY")
    if explicit:
        if not os.path.isfile(explicit):
            raise ImportError(
                f"MISH_TORCH_LIBRARY={explicit} is not a file")
        return explicit
    for candidate in _candidates():
        if candidate.is_file():
            return str(candidate)
    return _LIBRARY  # left to the dynamic loader (LD_LIBRARY_PATH, ldconfig)


library_path = _find_library()
try:
    torch.ops.load_library(library_path)
except OSError as error:
    raise ImportError(
        f"mish_torch: cannot load {library_path} ({error}); build it "
        "(target mish_torch) or set MISH_TORCH_LIBRARY to its path") from error

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
