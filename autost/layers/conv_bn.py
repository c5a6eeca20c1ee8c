"""ConvBN: bias-free Conv2d, BatchNorm2d and an optional MaxPool, on [T, B, C, H, W].

The unit of the patch splitters (Spikformer SPS, STMixer IPSPS, QKFormer SPEDS) and of the
convolutional token mixer. The pool, when present, follows the BN (QKFormer's order);
Spikformer's SPS pools after the LIF and holds its pools itself.
"""

import torch
from torch import nn

from autost.layers.layout import fold_time


def max_pool() -> nn.MaxPool2d:
    """The MaxPool(3, stride 2, padding 1) every splitter uses to halve the grid."""
    return nn.MaxPool2d(kernel_size=3, stride=2, padding=1)


class ConvBN(nn.Module):
    """Conv2d(kernel, stride, groups, bias=False) -> BatchNorm2d [-> MaxPool ↓2], T folded."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, groups: int = 1, pool: bool = False):
        super().__init__()
        padding = kernel_size // 2 if kernel_size % 2 else 0
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.pool = max_pool() if pool else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return fold_time(lambda y: self.pool(self.bn(self.conv(y))), x)
