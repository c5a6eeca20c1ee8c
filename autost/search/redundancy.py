"""Warn when two objectives of a search rank the candidates alike.

Two objectives whose values agree in rank (|Kendall tau| > REDUNDANT_TAU over the first
REDUNDANCY_SAMPLE complete trials) make a multi-objective search optimize one quantity
twice: FLOPs and the energy estimate with prior rates, for one, have tau 0.987 on the
stmixer space, and their "Pareto front" is a line. The check runs once per search process,
when the study first holds that many complete trials (counting those of earlier runs).
"""

from __future__ import annotations

import itertools
import math

REDUNDANCY_SAMPLE = 50
REDUNDANT_TAU = 0.9


class RedundancyCheck:
    """Collects objective values by trial number; :meth:`warnings` gives the warnings once."""

    def __init__(self, objectives, sample: int = REDUNDANCY_SAMPLE,
                 threshold: float = REDUNDANT_TAU) -> None:
        self._names = [o.name for o in objectives]
        self._sample, self._threshold = sample, threshold
        self._values: dict[int, list[float]] = {}
        self._checked = len(self._names) < 2

    def add(self, number: int, values) -> None:
        if not self._checked and values is not None:
            self._values[number] = list(values)

    def warnings(self) -> list[str]:
        """One line per pair of redundant objectives, the first time enough trials are in;
        afterwards always empty."""
        if self._checked or len(self._values) < self._sample:
            return []
        self._checked = True
        first = [self._values[n] for n in sorted(self._values)[:self._sample]]
        return [
            f"Warning: objectives {a} and {b} rank the first {self._sample} candidates alike "
            f"(Kendall tau {tau:+.3f}, |tau| > {self._threshold}): the search optimizes one "
            "quantity twice. Replace one of them by a score that ranks differently, e.g. "
            "predicted (the default: the built-in predictor's accuracy) or naswot."
            for a, b, tau in redundant_pairs(self._names, first, self._threshold)
        ]


def redundant_pairs(names, rows, threshold: float = REDUNDANT_TAU
                    ) -> list[tuple[str, str, float]]:
    """(name, name, tau) for every pair of columns of ``rows`` with |Kendall tau-b| above
    ``threshold`` (pairs with a constant column have no tau and are skipped)."""
    pairs = []
    for i, j in itertools.combinations(range(len(names)), 2):
        tau = kendall_tau_b([r[i] for r in rows], [r[j] for r in rows])
        if not math.isnan(tau) and abs(tau) > threshold:
            pairs.append((names[i], names[j], tau))
    return pairs


def kendall_tau_b(x, y) -> float:
    """Kendall's tau-b (Kendall, Biometrika 1945: ties counted apart in each variable) by
    comparing every pair; NaN when either variable is constant.

    Fifty values make 1,225 pairs, a millisecond; importing scipy.stats for it cost a
    starting or resuming search about a second.
    """
    concordant = discordant = ties_x = ties_y = 0
    for (x1, y1), (x2, y2) in itertools.combinations(zip(x, y, strict=True), 2):
        dx, dy = (x1 > x2) - (x1 < x2), (y1 > y2) - (y1 < y2)
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            ties_x += 1
        elif dy == 0:
            ties_y += 1
        elif dx == dy:
            concordant += 1
        else:
            discordant += 1
    pairs_x = concordant + discordant + ties_y  # pairs not tied in x
    pairs_y = concordant + discordant + ties_x
    if pairs_x == 0 or pairs_y == 0:
        return math.nan
    return (concordant - discordant) / math.sqrt(pairs_x * pairs_y)
