"""Q-K attention of QKFormer (Zhou et al., NeurIPS 2024, §3.2): token (QKTA) and channel (QKCA).

Q = LIF(BN(Linear(x))), K = LIF(BN(Linear(x))), no V and no scaling. QKTA sums Q over the
channels of each head and fires a token mask A_t = attnLIF(sum) [N x 1 per head]; QKCA
sums Q over the tokens and fires a channel mask A_c [1 x D]. X' = A (.) K, then the
projection Linear -> BN. Layer order from zhouchenlin2096/QKFormer cifar10/model.py
(reference §5.1); QKCA is described in the paper only. Random spike masks (MST) sit on
the Q and K spikes and on the attention-mask spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear
from autost.layers.ops import ElementwiseMul, SumReduce


class _QKAttention(nn.Module):
    """Shared Q, K and projection; subclasses pass the sum that reduces Q to the mask."""

    def __init__(self, dim: int, q_sum: SumReduce, make):
        super().__init__()
        cfg = make.cfg
        self.q = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.k = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.q_sum = q_sum
        self.attn_lif = make.attention_lif()
        self.attn_mask = make.mask()
        self.apply_attention = ElementwiseMul()
        self.proj = LinearBN(dim, dim, bias=cfg.linear_bias)

    def qk(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.q(x), self.k(x)


class QKTokenAttention(_QKAttention):
    """QKTA core on [T, B, N, D]: a per-head token mask from the channel sum of Q."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__(dim, SumReduce(dim=-1), make)
        self.heads = block.heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, d = x.shape
        q, k = self.qk(x)
        q = q.reshape(t, b, n, self.heads, d // self.heads)
        k = k.reshape(t, b, n, self.heads, d // self.heads)
        attn = self.attn_mask(self.attn_lif(self.q_sum(q)))
        return self.proj(self.apply_attention(attn, k).reshape(t, b, n, d))


class QKChannelAttention(_QKAttention):
    """QKCA core on [T, B, N, D]: a channel mask from the token sum of Q (heads unused)."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__(dim, SumReduce(dim=2), make)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k = self.qk(x)
        attn = self.attn_mask(self.attn_lif(self.q_sum(q)))
        return self.proj(self.apply_attention(attn, k))
