"""Tensor layout helpers: fold T into the batch, and move between token and grid layouts.

Spiking layers see activations as ``[T, B, ...]``; Conv, BatchNorm and pooling fold T into
the batch. Encoder blocks use the token layout ``[T, B, N, C]``; patch splitters and
convolutional layers use the grid layout ``[T, B, C, H, W]``. Everything here is a pure
reshape, so it costs nothing.
"""

import torch
from torch import nn


def fold_time(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Apply ``module`` to ``x`` [T, B, ...] with T folded into the batch."""
    y = module(x.flatten(0, 1))
    return y.reshape(x.shape[0], x.shape[1], *y.shape[1:])


def to_grid(x: torch.Tensor, side: int) -> torch.Tensor:
    """[T, B, N, C] -> [T, B, C, side, side] (row-major tokens)."""
    t, b, _, c = x.shape
    return x.transpose(-1, -2).reshape(t, b, c, side, side)


def to_tokens(x: torch.Tensor) -> torch.Tensor:
    """[T, B, C, H, W] -> [T, B, H*W, C]."""
    return x.flatten(3).transpose(-1, -2)
