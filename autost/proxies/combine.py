"""Label-free rank aggregation of several proxies (AZ-NAS's rule).

AZ-NAS (Lee and Ham, CVPR 2024) combines its proxies without labels by the sum of the
logarithms of their ranks: in a population of m architectures, proxy k ranks architecture i
at r_k(i) in 1..m (m is the best), and the aggregate is sum_k log(r_k(i) / m). The logarithm
punishes an architecture that one proxy ranks last more than it rewards one that another
proxy ranks first, so the aggregate favours architectures that no proxy rejects. Every
value is <= 0; 0 means first by every proxy.

A rank needs a population. :func:`rank_aggregate` scores a whole population at once (what a
fidelity study does with its sample); :func:`rank_against` scores one architecture against
a fixed reference population, ranked within the reference plus itself, so its value does
not depend on what else a search has seen (what an objective needs: Optuna's values are
immutable, and a cached candidate must get the same value in every study).

Ties share the mean of their ranks. "Better" follows each proxy's direction (larger for
``max``); a NaN or an infinite value at the worse end ranks below every finite one.
Numpy only, no torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from autost.proxies.direction import sign

AGGREGATE_SEPARATOR = "+"


def aggregate_name(proxies: Sequence[str]) -> str:
    """The objective name of an aggregate: ``"zico+synflow+flops"``."""
    return AGGREGATE_SEPARATOR.join(proxies)


def aggregate_parts(name: str) -> tuple[str, ...] | None:
    """The proxies of an aggregate objective name, or None for a plain name."""
    if AGGREGATE_SEPARATOR not in name:
        return None
    return tuple(part.strip() for part in name.split(AGGREGATE_SEPARATOR))


def _better_is_larger(values, direction: str) -> np.ndarray:
    """Values oriented so that larger is better, NaN and the worse infinity at -inf."""
    x = sign(direction) * np.asarray(values, dtype=float)
    return np.where(np.isnan(x), -np.inf, x)


def rank_aggregate(population: Mapping[str, Sequence[float]],
                   directions: Mapping[str, str]) -> np.ndarray:
    """sum_k log(r_k / m) for every architecture of the population (columns of equal length)."""
    from scipy import stats

    columns = [_better_is_larger(values, directions[name])
               for name, values in population.items()]
    if not columns:
        raise ValueError("rank aggregation needs at least one proxy")
    m = len(columns[0])
    if m == 0 or any(len(c) != m for c in columns):
        raise ValueError("every proxy needs one value per architecture, and at least one")
    return sum(np.log(stats.rankdata(c, method="average") / m) for c in columns)


def rank_against(reference: Mapping[str, Sequence[float]], values: Mapping[str, float],
                 directions: Mapping[str, str]) -> float:
    """sum_k log(r_k / (n + 1)) of one architecture ranked within the n reference ones plus
    itself: r_k = 1 + (references it beats) + (references it ties) / 2, the same value
    :func:`rank_aggregate` gives it in that population of n + 1."""
    total = 0.0
    for name, ref in reference.items():
        ref = _better_is_larger(ref, directions[name])
        x = float(_better_is_larger([values[name]], directions[name])[0])
        rank = 1 + np.count_nonzero(ref < x) + 0.5 * np.count_nonzero(ref == x)
        total += math.log(rank / (len(ref) + 1))
    return total
