"""Token-wise projection: Linear then BatchNorm1d over channels, the unit of every mixer.

Spikformer's CIFAR code applies ``nn.Linear`` to [T*B, N, C] and BatchNorm1d to the
transposed [T*B, C, N]; the ImageNet and QKFormer code use 1x1 Conv1d/Conv2d instead, which
has the same parameters and MACs. autost uses the Linear form everywhere.
"""

import torch
from torch import nn


class LinearBN(nn.Module):
    """Linear(in -> out) then BatchNorm1d(out) on [T, B, N, in], T folded into the batch."""

    def __init__(self, in_features: int, out_features: int, bias: bool):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=bias)
        self.bn = nn.BatchNorm1d(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, _ = x.shape
        y = self.linear(x.flatten(0, 1))
        y = self.bn(y.transpose(1, 2)).transpose(1, 2)
        return y.reshape(t, b, n, -1)
