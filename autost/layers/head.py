"""Classification head of Spikformer (Zhou et al., ICLR 2023): token mean, Linear, T mean.

Spikformer averages over tokens and T, then applies Linear(D, C). autost applies the
Linear per time step and then averages over T (STMixer's order): the same output, since
the Linear is affine, and MACs_total = T x MACs_per_step like every other layer. The
means are SumReduce and Scale modules, so the cost pass sees them.
"""

import torch
from torch import nn

from autost.layers.ops import Scale, SumReduce


class ClassificationHead(nn.Module):
    """[T, B, N, D] -> [B, num_classes] logits."""

    def __init__(self, dim: int, num_classes: int, num_tokens: int, timesteps: int):
        super().__init__()
        self.token_sum = SumReduce(dim=2)
        self.token_mean = Scale(1.0 / num_tokens)
        self.fc = nn.Linear(dim, num_classes)
        self.time_sum = SumReduce(dim=0)
        self.time_mean = Scale(1.0 / timesteps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.fc(self.token_mean(self.token_sum(x)))
        return self.time_mean(self.time_sum(logits)).flatten(0, 2)
