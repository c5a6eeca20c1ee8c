"""Does a cheap training recipe order published ablations the way their papers do?

A published ablation series (Spikformer's time steps, QKFormer's token mixers, ...) holds
configurations that differ in one dimension; any two of them on one dataset form a pair
whose published order is which has the higher top-1. A recipe (a surrogate trained briefly)
agrees on a pair when it ranks the two the same way. The share of agreeing pairs gets a
Wilson score interval (Wilson, "Probable inference, the law of succession, and statistical
inference", JASA 22, 1927), which stays inside [0, 1] and is not degenerate at 0 or n
agreements, unlike the normal approximation. Pairs of one series share configurations, so
they are not independent: the interval is optimistic, a floor on the uncertainty.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

from autost.models.published import PublishedAccuracy

LEVEL = 0.95


@dataclass(frozen=True)
class AblationPair:
    """Two rows of one series on one dataset, ``better`` having the higher published top-1."""

    series: str
    dataset: str
    better: PublishedAccuracy
    worse: PublishedAccuracy

    @property
    def gap(self) -> float:
        """Published top-1 of ``better`` minus that of ``worse``, in points."""
        return self.better.top1 - self.worse.top1


def ablation_pairs(rows: Iterable[PublishedAccuracy], series: Sequence[str]
                   ) -> list[AblationPair]:
    """Every pair of rows sharing a series of ``series`` and a dataset, in row order; pairs
    with equal published top-1 have no published order and are left out."""
    rows = list(rows)
    pairs = []
    for name in series:
        for dataset in dict.fromkeys(r.dataset for r in rows):
            members = [r for r in rows if name in r.series and r.dataset == dataset]
            for a, b in itertools.combinations(members, 2):
                if a.top1 != b.top1:
                    better, worse = (a, b) if a.top1 > b.top1 else (b, a)
                    pairs.append(AblationPair(name, dataset, better, worse))
    return pairs


def agreements(pairs: Sequence[AblationPair], values: Mapping[PublishedAccuracy, float]
               ) -> list[bool]:
    """Per pair, whether ``values`` rank ``better`` strictly above ``worse`` (a tie does not
    agree: the recipe did not tell the two apart)."""
    return [values[p.better] > values[p.worse] for p in pairs]


def self_agreements(pairs: Sequence[AblationPair], first: Mapping[PublishedAccuracy, float],
                    second: Mapping[PublishedAccuracy, float]) -> list[bool]:
    """Per pair, whether two runs (two seeds) order it the same strict way: the noise
    ceiling, the agreement with the paper that the recipe's own noise allows."""
    def sign(values, p):
        diff = values[p.better] - values[p.worse]
        return (diff > 0) - (diff < 0)

    return [sign(first, p) == sign(second, p) != 0 for p in pairs]


@dataclass(frozen=True)
class Share:
    """``k`` of ``n`` and the Wilson interval of k / n (NaN for n = 0)."""

    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")


def share(flags: Sequence[bool], level: float = LEVEL) -> Share:
    """The share of true flags with its Wilson score interval at ``level``."""
    k, n = sum(map(bool, flags)), len(flags)
    if n == 0:
        return Share(0, 0, float("nan"), float("nan"))
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return Share(k, n, float(interval.low), float(interval.high))
