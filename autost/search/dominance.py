"""Pareto dominance: which points no other point beats on every objective.

A point is dominated when another is at least as good on every objective and strictly
better on one (Deb et al., "A fast and elitist multiobjective genetic algorithm: NSGA-II",
IEEE Trans. Evol. Comput., 2002). Identical points do not dominate each other, so
duplicates on the front are all kept. The search's result (its front of feasible trials)
and the reports' fronts over any stored scores both take their members from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autost.proxies.direction import sign


def non_dominated(points: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Indices (ascending) of the non-dominated rows of ``points`` [n, k].

    ``directions`` holds "max" or "min" per column. Runs in O(n log n) for two objectives
    (one sort and a sweep) and in O(n f k) beyond, for a front of f points. Values may be
    infinite (a search tells what its proxies give) but not NaN; identical points are all
    kept.
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(directions):
        raise ValueError(f"points must be [n, {len(directions)}], got shape {p.shape}")
    if np.isnan(p).any():
        raise ValueError("points must not be NaN; drop candidates with missing scores first")
    signs = np.array([-sign(d) for d in directions])
    p = p * signs  # every column is now minimised
    if len(p) == 0:
        return np.empty(0, dtype=int)
    if p.shape[1] == 1:
        return np.flatnonzero(p[:, 0] == p[:, 0].min())
    if p.shape[1] == 2:
        return _front_2d(p)
    return _front_nd(p)


def _front_2d(p: np.ndarray) -> np.ndarray:
    """Sort by (x, y); a point survives when it has the least y of its x and beats every
    point of smaller x on y (the first x has none before it, whatever its y)."""
    order = np.lexsort((p[:, 1], p[:, 0]))
    x, y = p[order, 0], p[order, 1]
    first_of_x = np.r_[True, x[1:] != x[:-1]]
    group = np.cumsum(first_of_x) - 1
    group_min = y[first_of_x]
    best_before = np.r_[np.inf, np.minimum.accumulate(group_min)[:-1]]
    keep = (y == group_min[group]) & ((group == 0) | (y < best_before[group]))
    return np.sort(order[keep])


def _front_nd(p: np.ndarray) -> np.ndarray:
    """Visit points in lexicographic order: a dominator always comes before the point it
    dominates, and by transitivity checking against the front kept so far is enough."""
    order = np.lexsort(p.T[::-1])
    front = np.empty_like(p)
    kept = []
    for i in order:
        f = front[:len(kept)]
        if not (np.all(f <= p[i], axis=1) & np.any(f < p[i], axis=1)).any():
            front[len(kept)] = p[i]
            kept.append(i)
    return np.sort(np.array(kept, dtype=int))
