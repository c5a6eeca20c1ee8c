"""Rank agreement of training-free scores with the published record, per dataset.

The record (:mod:`autost.models.published`) pairs full-size architectures with the top-1
accuracy their papers report. Each score (a proxy, a predictor) gets Kendall's tau-b against
top-1 over the rows of one dataset with its percentile bootstrap interval
(:mod:`autost.report.bootstrap`), the way the fidelity report judges proxies against trained
accuracy. Nothing is fitted on the record: a tau here is an out-of-sample check at full scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from autost.report.bootstrap import bootstrap
from autost.report.correlation import kendall_tau


def record_taus(rows: Sequence[Mapping], columns: Sequence[str], datasets: Sequence[str],
                seed: int = 0) -> list[dict]:
    """One row per (dataset, column): ``n`` (rows with a finite value), ``kendall_tau``,
    ``low`` and ``high`` (its bootstrap 95 % interval) of the column against ``top1``.

    ``rows`` are mappings with ``dataset``, ``top1`` and one value per column (NaN or None
    where the column could not be computed; such rows are left out of that column only).
    """
    table = []
    for dataset in datasets:
        mine = [r for r in rows if r["dataset"] == dataset]
        for column in columns:
            kept = [r for r in mine if _finite(r.get(column))]
            estimate = bootstrap(kendall_tau, [[r[column] for r in kept],
                                               [r["top1"] for r in kept]], seed=seed)
            table.append({"dataset": dataset, "score": column, "n": len(kept),
                          "kendall_tau": estimate.value, "low": estimate.low,
                          "high": estimate.high})
    return table


def _finite(value) -> bool:
    return value is not None and value == value and abs(value) != float("inf")
