"""Tensor operations wrapped as modules, so one forward hook sees every costed operation.

Matrix products of two activations (attention) are MAC layers; masks, gates, expert mixing,
scalings and reductions are element-wise work; a concatenation is free data movement. The
cost pass (:mod:`autost.cost`) counts each class by its input and output shapes.
"""

import torch
from torch import nn


class SpikeMatMul(nn.Module):
    """a @ b over the last two dimensions (QK^T, (QK^T)V, K^T V, ...): MACs = out.numel() * k."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a @ b


class ElementwiseMul(nn.Module):
    """a * b with broadcasting: spike masks, Q-K token/channel masks, router gating."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a * b


class Scale(nn.Module):
    """Multiply by a fixed constant (SSA's s = 0.125): element-wise."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale

    def extra_repr(self) -> str:
        return f"scale={self.scale}"


class SumReduce(nn.Module):
    """Sum over one dimension, keeping it (token or channel sums of Q-K attention, SDSA)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum(dim=self.dim, keepdim=True)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Add(nn.Module):
    """a + b: residual additions and expert sums, element-wise."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


class Concat(nn.Module):
    """torch.cat of the inputs along ``dim``: data movement, no compute (IPSPS's two paths).

    A module so that the cost pass returns its shape on the meta device: a meta ``torch.cat``
    runs a Python reference that imports ``torch._dynamo`` (seconds, once per process).
    """

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return torch.cat(tensors, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
