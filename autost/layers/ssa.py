"""Spiking Self-Attention (SSA) of Spikformer (Zhou et al., ICLR 2023), eq. 14-16.

Q, K, V = LIF(BN(Linear(x))), split into h heads; SSA' = attnLIF(Q K^T V * s) with the
attention-map threshold (0.5) and s = ``attention_scale`` (0.125); no softmax. The core
ends with the projection Linear -> BN; the residual neuron belongs to the encoder block.
``attention_order`` picks (QK^T)V (Spikformer CIFAR code) or Q(K^T V) (ImageNet code,
QKFormer): the same output, different MACs. Random spike masks (MST) sit on the Q and K
spikes and on the attention-map spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear
from autost.layers.ops import Scale, SpikeMatMul


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[T, B, N, D] -> [T, B, h, N, D/h]."""
    t, b, n, d = x.shape
    return x.reshape(t, b, n, heads, d // heads).permute(0, 1, 3, 2, 4)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[T, B, h, N, d] -> [T, B, N, h*d]."""
    t, b, h, n, d = x.shape
    return x.permute(0, 1, 3, 2, 4).reshape(t, b, n, h * d)


def attention_product(first: SpikeMatMul, second: SpikeMatMul, q, k, v, q_kv: bool):
    """(Q K^T) V or Q (K^T V) over the last two dimensions, each product a SpikeMatMul."""
    if q_kv:
        return second(q, first(k.transpose(-2, -1), v))
    return second(first(q, k.transpose(-2, -1)), v)


class SpikingSelfAttention(nn.Module):
    """SSA core on [T, B, N, D]; q/k/v take ``qkv_bias``, the projection ``linear_bias``.

    ``first_matmul`` is Q K^T (order qk_v) or K^T V (order q_kv); ``second_matmul`` the
    product that gives the [N, d] result per head.
    """

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        cfg = make.cfg
        self.heads = block.heads
        self.q_kv = cfg.attention_order == "q_kv"
        self.q = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.k = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.v = SpikingLinear(dim, dim, cfg.qkv_bias, make, masked=False)
        self.first_matmul = SpikeMatMul()
        self.second_matmul = SpikeMatMul()
        self.scale = Scale(cfg.attention_scale)
        self.attn_lif = make.attention_lif()
        self.attn_mask = make.mask()
        self.proj = LinearBN(dim, dim, bias=cfg.linear_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q(x), self.heads)
        k = split_heads(self.k(x), self.heads)
        v = split_heads(self.v(x), self.heads)
        y = attention_product(self.first_matmul, self.second_matmul, q, k, v, self.q_kv)
        y = self.attn_mask(self.attn_lif(self.scale(merge_heads(y))))
        return self.proj(y)
