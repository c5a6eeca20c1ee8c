"""Spike-Driven Self-Attention, SDSA V1 of the Spike-driven Transformer (Yao et al., NeurIPS 2023).

Q, K, V = LIF(BN(Linear(x))); kv = attnLIF(SUM_tokens(K (.) V)) fires a 1 x D channel mask
(threshold 0.5); out = Q (.) kv, then the projection Linear -> BN. Masks and sums only,
O(ND) (reference §9.1, BICLab/Spike-Driven-Transformer module/ms_conv.py). The sum is per
channel, so splitting into heads changes nothing and ``heads`` is unused. Random spike
masks (MST) sit on the Q and K spikes and on the kv spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear
from autost.layers.ops import ElementwiseMul, SumReduce


class SpikeDrivenSelfAttention(nn.Module):
    """SDSA core on [T, B, N, D]; q/k/v take ``qkv_bias``, the projection ``linear_bias``."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        cfg = make.cfg
        self.q = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.k = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.v = SpikingLinear(dim, dim, cfg.qkv_bias, make, masked=False)
        self.kv_mul = ElementwiseMul()
        self.token_sum = SumReduce(dim=2)
        self.kv_lif = make.attention_lif()
        self.kv_mask = make.mask()
        self.q_mul = ElementwiseMul()
        self.proj = LinearBN(dim, dim, bias=cfg.linear_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.q(x), self.k(x), self.v(x)
        kv = self.kv_mask(self.kv_lif(self.token_sum(self.kv_mul(k, v))))
        return self.proj(self.q_mul(q, kv))
