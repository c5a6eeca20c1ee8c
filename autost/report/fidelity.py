"""Fidelity of every proxy against trained accuracy, with bootstrap intervals.

For each proxy: Kendall's tau, Spearman's rho and precision at the top 25 % against
validation accuracy, and Kendall's partial tau given FLOPs (what the proxy says about
accuracy that FLOPs does not), each with a percentile-bootstrap 95 % interval over the same
seeded resamples of the architectures. The noise ceiling is tau between the accuracies of two
training seeds of the same architectures: no proxy can be expected to rank accuracy better
than training ranks itself.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from autost.report.bootstrap import Estimate, bootstrap
from autost.report.correlation import (
    kendall_tau,
    partial_kendall_tau,
    precision_at_top,
    spearman_rho,
)

CONTROL = "flops"
TOP_FRACTION = 0.25
COLUMNS = ("kendall_tau", "spearman_rho", "precision_top25", "partial_tau_flops")


def _finite(*columns: Sequence[float]) -> list[np.ndarray]:
    arrays = [np.asarray(c, dtype=float) for c in columns]
    keep = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    return [a[keep] for a in arrays]


def _precision(x, y) -> float:
    return precision_at_top(x, y, TOP_FRACTION)


def proxy_fidelity(name: str, values: Sequence[float], accuracy: Sequence[float],
                   control: Sequence[float], seed: int = 0) -> dict:
    """One table row: n and every column of :data:`COLUMNS` with ``_low``/``_high`` bounds.

    Architectures where the proxy, the accuracy or the control is not finite are left out.
    """
    x, y, z = _finite(values, accuracy, control)
    estimates = {
        "kendall_tau": bootstrap(kendall_tau, [x, y], seed=seed),
        "spearman_rho": bootstrap(spearman_rho, [x, y], seed=seed),
        "precision_top25": bootstrap(_precision, [x, y], seed=seed),
        "partial_tau_flops": bootstrap(partial_kendall_tau, [x, y, z], seed=seed),
    }
    row = {"proxy": name, "n": len(x)}
    for column, estimate in estimates.items():
        row.update({column: estimate.value, f"{column}_low": estimate.low,
                    f"{column}_high": estimate.high})
    return row


def fidelity_table(proxies: Mapping[str, Sequence[float]], accuracy: Sequence[float],
                   seed: int = 0) -> list[dict]:
    """One :func:`proxy_fidelity` row per proxy, in the mapping's order; needs ``flops``."""
    control = proxies[CONTROL]
    return [proxy_fidelity(name, values, accuracy, control, seed)
            for name, values in proxies.items()]


def rank_agreement(first: Sequence[float], second: Sequence[float], seed: int = 0
                   ) -> tuple[int, Estimate]:
    """(n, Kendall's tau with interval) between two accuracies of the same architectures.

    Between two training seeds this is the noise ceiling; between the preset's epochs and
    twice as many it says whether the ranking is settled by the end of training.
    """
    a, b = _finite(first, second)
    return len(a), bootstrap(kendall_tau, [a, b], seed=seed)


def agreement_row(label: str, rows: Sequence[dict], first: str, second: str,
                  seed: int = 0) -> dict:
    """(check, n, kendall_tau with bounds) between two accuracy columns of ``rows``; rows
    missing either value are left out."""
    pairs = [(r[first], r[second]) for r in rows
             if r[first] is not None and r[second] is not None]
    n, estimate = rank_agreement([a for a, _ in pairs], [b for _, b in pairs], seed)
    return {"check": label, "n": n, "kendall_tau": estimate.value,
            "kendall_tau_low": estimate.low, "kendall_tau_high": estimate.high}


def summarize(run) -> tuple[list[dict], list[dict]]:
    """(proxy table, checks) of a fidelity run (rows, proxies, checks, seed), over the
    architectures whose training succeeded."""
    good = [r for r in run.rows if r["status"] == "ok"]
    table = fidelity_table({p: [r[p] for r in good] for p in run.proxies},
                           [r["accuracy"] for r in good], run.seed)
    checks = [agreement_row(label, good, first, second, run.seed)
              for label, first, second in run.checks]
    return table, checks
