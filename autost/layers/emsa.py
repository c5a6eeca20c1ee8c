"""Experts Mixture of Spiking Attention (EMSA) of SEMM (Zhou et al., NeurIPS 2024).

m head-wise spiking experts mixed element-wise by a spiking router (reference §7.1), in
the form of the unofficial re-implementation Fancyssc/STEP (§7.2): a shared
K = LIF(BN(Linear(D -> d_e))), d_e = D / m, and a shared V = LIF(BN(Linear(D -> D))); a
router R = LIF(BN(Linear(D -> m))); per expert Q_i = LIF(BN(Linear(D -> d_e))) and
E_i = attnLIF((Q_i K^T) V * s); y = sum_i R_i (.) E_i; then the projection Linear -> BN.
Each expert is one attention head of width d_e, so ``heads`` is unused. With order q_kv
the product K^T V is shared by all experts. Random spike masks (MST) sit on the Q and K
spikes and on the expert (attention-map) spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear
from autost.layers.ops import ElementwiseMul, Scale, SpikeMatMul, SumReduce
from autost.layers.ssa import attention_product


class ExpertsMixtureAttention(nn.Module):
    """EMSA core on [T, B, N, D]; q/k/v/router take ``qkv_bias``, the projection ``linear_bias``.

    The m query projections are one Linear(D -> m * d_e) with one BatchNorm of m * d_e
    channels: the same parameters and MACs as m separate Linear(D -> d_e) + BN(d_e).
    """

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        cfg = make.cfg
        self.experts = block.token_experts
        self.expert_dim = dim // self.experts
        self.q_kv = cfg.attention_order == "q_kv"
        self.router = SpikingLinear(dim, self.experts, cfg.qkv_bias, make, masked=False)
        self.q = SpikingLinear(dim, dim, cfg.qkv_bias, make)
        self.k = SpikingLinear(dim, self.expert_dim, cfg.qkv_bias, make)
        self.v = SpikingLinear(dim, dim, cfg.qkv_bias, make, masked=False)
        self.first_matmul = SpikeMatMul()
        self.second_matmul = SpikeMatMul()
        self.scale = Scale(cfg.attention_scale)
        self.attn_lif = make.attention_lif()
        self.attn_mask = make.mask()
        self.gate = ElementwiseMul()
        self.expert_sum = SumReduce(dim=2)
        self.proj = LinearBN(dim, dim, bias=cfg.linear_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, d = x.shape
        m, de = self.experts, self.expert_dim
        route = self.router(x).permute(0, 1, 3, 2).unsqueeze(-1)
        q = self.q(x).reshape(t, b, n, m, de).permute(0, 1, 3, 2, 4)
        k = self.k(x).unsqueeze(2)
        v = self.v(x).unsqueeze(2)
        e = attention_product(self.first_matmul, self.second_matmul, q, k, v, self.q_kv)
        e = self.attn_mask(self.attn_lif(self.scale(e)))
        y = self.expert_sum(self.gate(route, e)).squeeze(2)
        return self.proj(y)
