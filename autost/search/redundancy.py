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
            "naswot (the default accuracy proxy) or a calibrated predictor (predicted)."
            for a, b, tau in redundant_pairs(self._names, first, self._threshold)
        ]


def redundant_pairs(names, rows, threshold: float = REDUNDANT_TAU
                    ) -> list[tuple[str, str, float]]:
    """(name, name, tau) for every pair of columns of ``rows`` with |Kendall tau-b| above
    ``threshold`` (pairs with a constant column have no tau and are skipped)."""
    from scipy.stats import kendalltau

    pairs = []
    for i, j in itertools.combinations(range(len(names)), 2):
        tau = float(kendalltau([r[i] for r in rows], [r[j] for r in rows]).statistic)
        if not math.isnan(tau) and abs(tau) > threshold:
            pairs.append((names[i], names[j], tau))
    return pairs
