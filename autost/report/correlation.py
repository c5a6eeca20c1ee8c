"""Rank agreement between a training-free proxy and trained accuracy.

Kendall's tau-b and Spearman's rho come from scipy.stats (ties handled there); precision at
the top fraction is the zero-cost-proxy literature's "how many of the truly best does the proxy
put first". Every function returns NaN where the answer is undefined (fewer than two points, or
a constant input), never raises for it, so one degenerate proxy does not hide the others.
"""

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from autost.proxies.direction import MAX, sign


def _pairs(proxy: Sequence[float], accuracy: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(proxy, dtype=float)
    y = np.asarray(accuracy, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"proxy and accuracy must be 1-D of equal length, got {x.shape} and "
                         f"{y.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def _degenerate(x: np.ndarray, y: np.ndarray) -> bool:
    return len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0


def kendall_tau(proxy: Sequence[float], accuracy: Sequence[float]) -> float:
    """Kendall's tau-b between proxy values and accuracies (non-finite pairs dropped)."""
    x, y = _pairs(proxy, accuracy)
    if _degenerate(x, y):
        return math.nan
    return float(stats.kendalltau(x, y).statistic)


def partial_kendall_tau(proxy: Sequence[float], accuracy: Sequence[float],
                        control: Sequence[float]) -> float:
    """Kendall's partial tau of proxy and accuracy given ``control`` (FLOPs, say).

    tau_xy.z = (tau_xy - tau_xz tau_yz) / sqrt((1 - tau_xz^2)(1 - tau_yz^2)) (Kendall, "Partial
    rank correlation", Biometrika 32, 1942): the agreement left once what both share with the
    control is taken out. Above zero, the proxy ranks accuracy in a way the control does not.
    NaN where a tau is undefined or the control orders proxy or accuracy perfectly.
    """
    x, y, z = (np.asarray(v, dtype=float) for v in (proxy, accuracy, control))
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
    x, y, z = x[keep], y[keep], z[keep]
    xy, xz, yz = kendall_tau(x, y), kendall_tau(x, z), kendall_tau(y, z)
    if math.isnan(xy + xz + yz) or max(abs(xz), abs(yz)) > 1 - 1e-9:  # 1 up to rounding
        return math.nan
    return (xy - xz * yz) / math.sqrt((1 - xz * xz) * (1 - yz * yz))


def spearman_rho(proxy: Sequence[float], accuracy: Sequence[float]) -> float:
    """Spearman's rank correlation between proxy values and accuracies."""
    x, y = _pairs(proxy, accuracy)
    if _degenerate(x, y):
        return math.nan
    return float(stats.spearmanr(x, y).statistic)


def precision_at_top(proxy: Sequence[float], accuracy: Sequence[float], fraction: float = 0.25,
                     direction: str = MAX) -> float:
    """Share of the proxy's top ceil(fraction * n) architectures that are also the most accurate.

    ``direction`` says which end of the proxy predicts high accuracy ("max": larger is
    better). Ties are broken by position, so the answer is deterministic.
    """
    larger_is_better = sign(direction)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    x, y = _pairs(proxy, accuracy)
    if len(x) == 0:
        return math.nan
    k = max(1, math.ceil(fraction * len(x)))
    keys = -larger_is_better * x
    by_proxy = set(np.argsort(keys, kind="stable")[:k].tolist())
    by_accuracy = set(np.argsort(-y, kind="stable")[:k].tolist())
    return len(by_proxy & by_accuracy) / k


def correlation_table(proxies: Mapping[str, Sequence[float]], accuracy: Sequence[float],
                      fraction: float = 0.25) -> list[dict]:
    """One row per proxy: n, kendall_tau, spearman_rho and precision at the top fraction.

    Every proxy is read as "larger predicts more accurate"; a negative tau says the opposite.
    """
    column = f"precision_top{round(fraction * 100)}"
    rows = []
    for name, values in proxies.items():
        x, _ = _pairs(values, accuracy)
        rows.append({
            "proxy": name,
            "n": len(x),
            "kendall_tau": kendall_tau(values, accuracy),
            "spearman_rho": spearman_rho(values, accuracy),
            column: precision_at_top(values, accuracy, fraction),
        })
    return rows
