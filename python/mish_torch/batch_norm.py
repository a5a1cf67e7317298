"""BatchNorm2d followed by Mish, fused: torch.ops.mish.batch_norm_mish.

The layer keeps, for the backward pass, only its input (and residual) plus
per-channel statistics, so a Mish network trains in the activation memory of
BatchNorm2d + ReLU(inplace). Parameters and buffers are BatchNorm2d's, under
the same names: state dicts load both ways.
"""

from typing import Optional

import torch
from torch import nn

__all__ = ["BatchNormMish2d"]


class BatchNormMish2d(nn.BatchNorm2d):
    """mish(batch_norm(input) + residual), NCHW or channels-last."""

    def forward(self, input: torch.Tensor,
                residual: Optional[torch.Tensor] = None) -> torch.Tensor:
        self._check_input_dim(input)
        # The running-average factor and the choice of statistics exactly
        # as BatchNorm2d makes them.
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is not None:
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (
            self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return torch.ops.mish.batch_norm_mish(
            input, residual, self.weight, self.bias,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            use_batch_stats, factor, self.eps)
