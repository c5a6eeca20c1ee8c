"""Fidelity of every proxy against trained accuracy, with bootstrap intervals.

For each proxy: Kendall's tau, Spearman's rho and precision at the top 25 % against
validation accuracy, and Kendall's partial tau given FLOPs (what the proxy says about
accuracy that FLOPs does not), each with a percentile-bootstrap 95 % interval over the same
seeded resamples of the architectures. The noise ceiling is tau between the accuracies of two
training seeds of the same architectures: no proxy can be expected to rank accuracy better
than training ranks itself.

Beside the single proxies the table has two combinations, measured the same way:

- the label-free rank aggregate (AZ-NAS; Lee and Ham, CVPR 2024) of AGGREGATED, the proxies
  that claim to predict accuracy plus FLOPs as the complexity term, fixed before any
  fidelity figure was seen, so choosing it is not tuned on the data it is judged on; its
  name is the objective that searches on it (``synflow+snip+...+flops``);
- a ridge regression of accuracy on every proxy (the combiner ``autost calibrate`` fits),
  judged by its out-of-fold predictions: each architecture's prediction comes from a model
  fitted on the other folds, so its tau is what the combiner gives on architectures it has
  not seen. It needs MIN_TRAININGS trained architectures.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from autost.proxies import get_proxy
from autost.proxies.combine import aggregate_name, rank_aggregate
from autost.report.bootstrap import Estimate, bootstrap
from autost.report.calibrate import MIN_TRAININGS, feature_matrix, out_of_fold
from autost.report.correlation import (
    kendall_tau,
    partial_kendall_tau,
    precision_at_top,
    spearman_rho,
)

CONTROL = "flops"
AGGREGATED = ("synflow", "snip", "grad_norm", "zico", "sahd", "naswot", "flops")
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


def combined_columns(proxies: Mapping[str, Sequence[float]], accuracy: Sequence[float]
                     ) -> dict[str, list[float]]:
    """Values of the rank aggregate of AGGREGATED (those among ``proxies``) and, given at
    least MIN_TRAININGS architectures, the ridge's out-of-fold predictions, by name."""
    parts = [p for p in AGGREGATED if p in proxies]
    columns = {}
    if len(parts) >= 2:
        aggregate = rank_aggregate({p: proxies[p] for p in parts},
                                   {p: get_proxy(p).direction for p in parts})
        columns[aggregate_name(parts)] = [float(v) for v in aggregate]
    if len(accuracy) >= MIN_TRAININGS:
        features, _, _ = feature_matrix(dict(proxies))
        predicted, folds = out_of_fold(features, np.asarray(accuracy, dtype=float))
        columns[f"ridge {folds}-fold CV"] = [float(v) for v in predicted]
    return columns


def summarize(run) -> tuple[list[dict], list[dict]]:
    """(proxy table, checks) of a fidelity run (rows, proxies, checks, seed), over the
    architectures whose training succeeded; the table ends with the combinations of
    :func:`combined_columns`, whose values are added to those rows (for their scatter
    plots and the architectures table)."""
    good = [r for r in run.rows if r["status"] == "ok"]
    accuracy = [r["accuracy"] for r in good]
    columns = {p: [r[p] for r in good] for p in run.proxies}
    combined = combined_columns(columns, accuracy)
    for name, values in combined.items():
        by_arch = dict(zip((r["arch_id"] for r in good), values, strict=True))
        for row in run.rows:
            row[name] = by_arch.get(row["arch_id"])
    table = fidelity_table(columns | combined, accuracy, run.seed)
    checks = [agreement_row(label, good, first, second, run.seed)
              for label, first, second in run.checks]
    return table, checks
