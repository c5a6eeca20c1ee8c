"""Spiking Token Mixing (STM), the token mixer of STMixer (Deng et al., NeurIPS 2024).

STM replaces attention by trainable token-mixing matrices: the D channels are split into h
groups of D/h, and group g is multiplied along the token axis by its own N x N matrix W_g
(no Q, no K, no spike x spike product), which suits asynchronous neuromorphic hardware.
Layer order from brain-intelligence-lab/STMixer_demo models/STMixer.py (reference §6.2).
"""

import math

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear


class TokenMixingLinear(nn.Module):
    """y[:, n, g] = sum_m W[g, n, m] x[:, m, g] on [T, B, N, D]: weight [h, N, N], no bias.

    MACs per time step and sample: D x N^2 (each of the N x D outputs is a dot product over N
    tokens). Initialised with the variance of the demo code's Kaiming normal (fan_out, ReLU
    gain), drawn uniformly: ``normal_`` on the meta device costs seconds of imports.
    """

    def __init__(self, heads: int, num_tokens: int):
        super().__init__()
        self.heads = heads
        self.num_tokens = num_tokens
        self.weight = nn.Parameter(torch.empty(heads, num_tokens, num_tokens))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = math.sqrt(6.0 / self.num_tokens)
        nn.init.uniform_(self.weight, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, d = x.shape
        groups = x.reshape(t, b, n, self.heads, d // self.heads)
        mixed = torch.einsum("gnm,tbmgc->tbngc", self.weight, groups)
        return mixed.reshape(t, b, n, d)

    def extra_repr(self) -> str:
        return f"heads={self.heads}, num_tokens={self.num_tokens}"


class STMTokenMixer(nn.Module):
    """STMixer's TokenMixer core: Linear -> BN -> LIF -> [mask] -> STM -> LIF -> Linear -> BN.

    The residual neuron (LIF before the core for ``ms``, after it for ``sew``) belongs to
    the encoder block. The input projection plays the role of V and takes ``qkv_bias``;
    the output projection takes ``linear_bias`` (both False in STMixer). ``heads`` is the
    number of token-mixing matrices. The random spike mask sits on the spikes entering STM.
    """

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        cfg = make.cfg
        self.fc_in = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.stm = TokenMixingLinear(block.heads, num_tokens)
        self.out_lif = make.lif()
        self.fc_out = LinearBN(dim, dim, bias=cfg.linear_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_out(self.out_lif(self.stm(self.fc_in(x))))
