"""Spiking convolutional token mixer, the conv choice of the STMixer search space (§6.5).

STMixer's NAS experiment mixes "convolutional layers, SSA and STM modules"; its exact conv
module is not published. autost uses the spiking analogue of a depth-wise separable
token mixer: depth-wise 3x3 Conv2d over the token grid (bias-free) -> BN -> LIF ->
Linear(D -> D) -> BN (``heads`` unused). Only conv, FC and residual operations, like STM.
The random spike mask (MST) sits on the spikes entering the depth-wise conv (for ``sew``
residuals these are the integer-valued stream).
"""

import math

import torch
from torch import nn

from autost.layers.conv_bn import ConvBN
from autost.layers.layout import to_grid, to_tokens
from autost.layers.linear_bn import LinearBN


class ConvTokenMixer(nn.Module):
    """Conv mixer core on [T, B, N, D], N a square grid; the projection takes ``linear_bias``."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        self.side = math.isqrt(num_tokens)
        self.mask = make.mask()
        self.dwconv = ConvBN(dim, dim, kernel_size=3, groups=dim)
        self.lif = make.lif()
        self.proj = LinearBN(dim, dim, bias=make.cfg.linear_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = to_tokens(self.dwconv(to_grid(self.mask(x), self.side)))
        return self.proj(self.lif(y))
