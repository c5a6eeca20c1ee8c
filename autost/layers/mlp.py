"""Spiking MLP, the channel mixer of Spikformer (Zhou et al., ICLR 2023) and its successors.

Linear(D -> rD) -> BN -> LIF -> Linear(rD -> D) -> BN (reference §4.4); the residual
neuron belongs to the encoder block. Both Linears take ``linear_bias`` (True in
Spikformer and QKFormer, False in STMixer's FFN). The random spike mask (MST) sits on
the hidden spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear


class SpikingMLP(nn.Module):
    """MLP core on [T, B, N, D] with hidden width D x ``block.mlp_ratio``."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        hidden = int(dim * block.mlp_ratio)
        bias = make.cfg.linear_bias
        self.fc1 = SpikingLinear(dim, hidden, bias, make)
        self.fc2 = LinearBN(hidden, dim, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.fc1(x))
