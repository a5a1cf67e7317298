"""BatchNorm2d followed by Mish, fused: torch.ops.mish.batch_norm_mish.

The layer keeps, for the backward pass, only its input (and residual, or the
input of the residual's own batch norm) plus per-channel statistics, so a
Mish network trains in the activation memory of BatchNorm2d + ReLU(inplace).
Parameters and buffers are BatchNorm2d's, under the same names: state dicts
load both ways.
"""

from typing import Optional

import torch
from torch import nn

__all__ = ["BatchNormMish2d"]


def _batch_norm_args(bn: nn.modules.batchnorm._BatchNorm):
    """What bn's own forward passes to batch_norm, exactly as BatchNorm2d
    makes it: running statistics to use or update, whether to normalize with
    the batch's statistics, and the running-average factor (after counting
    this batch)."""
    factor = 0.0 if bn.momentum is None else bn.momentum
    if bn.training and bn.track_running_stats:
        if bn.num_batches_tracked is not None:
            bn.num_batches_tracked.add_(1)
            if bn.momentum is None:
                factor = 1.0 / float(bn.num_batches_tracked)
    use_batch_stats = bn.training or (
        bn.running_mean is None and bn.running_var is None)
    keep = not bn.training or bn.track_running_stats
    return (bn.running_mean if keep else None,
            bn.running_var if keep else None, use_batch_stats, factor)


class BatchNormMish2d(nn.BatchNorm2d):
    """mish(batch_norm(input) + residual), NCHW or channels-last.

    With residual_norm (a projection shortcut's BatchNorm2d), the residual
    goes through it first: mish(bn(input) + residual_norm(residual)), and
    residual_norm's running statistics are updated as its own forward would;
    only the residual (its input) is kept for the backward pass.
    """

    def forward(self, input: torch.Tensor,
                residual: Optional[torch.Tensor] = None,
                residual_norm: Optional[nn.BatchNorm2d] = None
                ) -> torch.Tensor:
        self._check_input_dim(input)
        mean, var, batch_stats, factor = _batch_norm_args(self)
        if residual_norm is None:
            return torch.ops.mish.batch_norm_mish(
                input, residual, self.weight, self.bias, mean, var,
                batch_stats, factor, self.eps)
        if residual is None:
            raise ValueError("BatchNormMish2d: residual_norm needs a residual")
        r_mean, r_var, r_batch_stats, r_factor = _batch_norm_args(
            residual_norm)
        return torch.ops.mish.batch_norm_mish(
            input, residual, self.weight, self.bias, mean, var, batch_stats,
            factor, self.eps, True, residual_norm.weight, residual_norm.bias,
            r_mean, r_var, r_batch_stats, r_factor, residual_norm.eps)
