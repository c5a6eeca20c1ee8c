"""Experts Mixture of Spiking Perceptrons (EMSP) of SEMM (Zhou et al., NeurIPS 2024).

m channel-wise experts mixed element-wise by a spiking router (reference §7.1): router
R = LIF(BN(Linear(D -> m))); hidden H = LIF(BN(Linear(D -> rD))) split into m groups of
rD/m channels; group i is gated by R_i (a spike mask broadcast over its channels); then
Linear(rD -> D) -> BN. Because the output Linear is a sum over the groups, this equals
y = sum_i R_i (.) E_i(X) for m small MLPs E_i(X) = W2_i LIF(BN(W1_i X)) of hidden width
rD/m (BN per channel, so splitting it changes nothing; the one output bias and BN
are shared). The STEP re-implementation's depth-wise gate (§7.2) is not used: the paper's
formula and parameter table are not published. The random spike mask (MST) sits on the
hidden spikes.
"""

import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, SpikingLinear
from autost.layers.ops import ElementwiseMul


class ExpertsMixturePerceptron(nn.Module):
    """EMSP core on [T, B, N, D]; every Linear takes ``linear_bias``."""

    def __init__(self, dim: int, num_tokens: int, block, make):
        super().__init__()
        hidden = int(dim * block.mlp_ratio)
        bias = make.cfg.linear_bias
        self.experts = block.channel_experts
        self.router = SpikingLinear(dim, self.experts, bias, make, masked=False)
        self.fc1 = SpikingLinear(dim, hidden, bias, make)
        self.gate = ElementwiseMul()
        self.fc2 = LinearBN(hidden, dim, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, _ = x.shape
        route = self.router(x).unsqueeze(-1)
        h = self.fc1(x)
        h = self.gate(h.reshape(t, b, n, self.experts, -1), route)
        return self.fc2(h.reshape(t, b, n, -1))
