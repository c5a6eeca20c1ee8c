"""Pareto fronts: the candidates no other candidate beats on every objective.

A point is dominated when another is at least as good on every objective and strictly
better on one. Identical points do not dominate each other, so duplicates on the front
are all kept (the report layer keeps one trial per architecture beforehand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autost.exceptions import ReportError
from autost.proxies.direction import sign
from autost.proxies.objective import Objective
from autost.report.entries import Entry, StudyEntries, load_entries


def non_dominated(points: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Indices (ascending) of the non-dominated rows of ``points`` [n, k].

    ``directions`` holds "max" or "min" per column. Runs in
    O(n log n) for two objectives (one sort and a sweep) and in O(n f k) beyond, for a
    front of f points. Values must be finite; identical points are all kept.
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(directions):
        raise ValueError(f"points must be [n, {len(directions)}], got shape {p.shape}")
    if not np.isfinite(p).all():
        raise ValueError("points must be finite; drop candidates with missing scores first")
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
    point of smaller x on y."""
    order = np.lexsort((p[:, 1], p[:, 0]))
    x, y = p[order, 0], p[order, 1]
    first_of_x = np.r_[True, x[1:] != x[:-1]]
    group = np.cumsum(first_of_x) - 1
    group_min = y[first_of_x]
    best_before = np.r_[np.inf, np.minimum.accumulate(group_min)[:-1]]
    keep = (y == group_min[group]) & (y < best_before[group])
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


@dataclass(frozen=True)
class Front:
    """The front of one study over some objectives, and the candidates it was taken from."""

    study_name: str
    objectives: list[Objective]
    candidates: list[Entry]  # feasible, complete, with every objective value
    members: list[Entry]  # non-dominated, best first in the first objective

    def points(self, entries: list[Entry]) -> np.ndarray:
        return np.array([[e.scores[o.name] for o in self.objectives] for e in entries],
                        dtype=float).reshape(len(entries), len(self.objectives))


def pareto_front(study: StudyEntries, objectives: Sequence[str] = ()) -> Front:
    """The front over ``objectives`` ("name[:max|min]"; default: the study's own)."""
    chosen = study.resolve(objectives)
    if len(chosen) < 2:
        raise ReportError(
            f"a Pareto front needs two or more objectives, got {len(chosen)} "
            f"({', '.join(o.spec for o in chosen)}); add one, e.g. --objective energy:min"
        )
    candidates = study.complete(chosen)
    front = Front(study.study_name, chosen, candidates, [])
    keep = non_dominated(front.points(candidates), [o.direction for o in chosen])
    members = sorted((candidates[i] for i in keep), key=lambda e: tuple(
        -e.scores[o.name] if o.maximize else e.scores[o.name] for o in chosen))
    return Front(study.study_name, chosen, candidates, members)


def pareto_rows(storage, study: str, objectives: Sequence[str] = ()) -> list[Entry]:
    """Front members of study ``study`` in ``storage``; infeasible and unfinished trials
    never take part. Any stored score name works, and ``accuracy`` once trained."""
    return pareto_front(load_entries(storage, study), objectives).members
