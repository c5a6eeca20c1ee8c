"""Spike-code kernels: SNASNet's sparsity-aware Hamming kernel (SAHD) and NASWOT's.

Both take the binary spike codes of every LIF layer, each [T, B, N_A] (N_A neurons per
sample), and score a network by how well its codes tell the B calibration images apart:
log |det K| of a B x B kernel. Everything is computed in float64; the Hamming distances are
integer counts below 2^53 and so exact whatever the summation order, which keeps the score
identical bit for bit for the same codes.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from autost.exceptions import CostModelError

SAHD_ALPHA = 0.5
SAHD_EPS = 1e-3


def _hamming(codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per time step: d_H [T, B, B] and the number of ones of every code [T, B]."""
    x = codes.to(torch.float64)
    ones = x.sum(-1)
    gram = x @ x.transpose(-1, -2)
    return ones.unsqueeze(-1) + ones.unsqueeze(-2) - 2.0 * gram, ones


def sahd_kernel(codes: Iterable[torch.Tensor]) -> torch.Tensor:
    """SNASNet's K-bar (Kim, Li, Park, Venkatesha, Panda, ECCV 2022), B x B.

    Per LIF layer and time step, r_i = |x_i| / N_A, norm(i, j) = N_A (r_i (1 - r_j) +
    (1 - r_i) r_j), K(i, j) = N_A - 0.5 d_H(i, j) / (norm(i, j) + 1e-3); K-bar is the mean
    of K over every layer and time step.
    """
    total, count = None, 0
    for layer in codes:
        n_a = layer.shape[-1]
        d_h, ones = _hamming(layer)
        r = ones / n_a
        norm = n_a * (r.unsqueeze(-1) * (1 - r.unsqueeze(-2))
                      + (1 - r.unsqueeze(-1)) * r.unsqueeze(-2))
        k = n_a - SAHD_ALPHA * d_h / (norm + SAHD_EPS)
        total = k.sum(0) if total is None else total + k.sum(0)
        count += layer.shape[0]
    if total is None:
        raise CostModelError("no spike codes: the model has no LIF layer to score")
    return total / count


def naswot_kernel(codes: Iterable[torch.Tensor]) -> torch.Tensor:
    """NASWOT's kernel (Mellor et al., ICML 2021) on spikes: K(i, j) = N_A - d_H(i, j).

    The codes of every LIF layer and time step are concatenated into one binary code per
    image, as NASWOT concatenates every ReLU's activation pattern, so K is the sum of the
    per-layer, per-step kernels (NASWOT: Mellor et al., ICML 2021; SNASNet's "plain HD").
    """
    total = None
    for layer in codes:
        d_h, _ = _hamming(layer)
        k = (layer.shape[-1] - d_h).sum(0)
        total = k if total is None else total + k
    if total is None:
        raise CostModelError("no spike codes: the model has no LIF layer to score")
    return total


def log_abs_det(kernel: torch.Tensor) -> float:
    """log |det K|; -inf for a singular kernel (two images with identical codes)."""
    sign, logabs = torch.linalg.slogdet(kernel)
    return float("-inf") if sign == 0 else float(logabs)
