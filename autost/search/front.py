"""The front a search hands over: its feasible non-dominated trials, and a few spread along it.

A search ends with a front that may hold dozens of architectures; a user trains a handful.
``autost search`` lists ``spread(front, 10)``, ``autost train --spread K`` trains
``spread(front, K)`` and ``benchmarks/search_quality.py`` judges that same set, so the three
agree on which architectures a search hands over. On a front of an accuracy score against
energy, best first in the accuracy score is dearest first in energy, so the spread runs
from the dearest architecture to the cheapest at even steps of rank along the front.
"""

from __future__ import annotations

from collections.abc import Sequence

from autost.search.dominance import non_dominated
from autost.storage.optuna_tables import ARCH_ID_ATTR


def front_trials(complete: list, directions: Sequence[str]) -> list:
    """The trials of ``complete`` that meet every ceiling and that no other such trial
    dominates, best first in the first objective (ties: lower trial number first when it
    is minimized, higher when maximized), one trial per architecture (the first in that
    order). ``directions``: "max" or "min" per objective."""
    import numpy as np

    feasible = [t for t in complete if all(v <= 0 for v in t.constraints.values())]
    values = np.array([t.values for t in feasible], dtype=float)
    keep = non_dominated(values.reshape(len(feasible), len(directions)), directions)
    best = sorted((feasible[i] for i in keep), key=lambda t: (t.values[0], t.number),
                  reverse=directions[0] == "max")
    first = {}  # a front holds every trial of a repeated architecture; keep it once
    for trial in best:
        first.setdefault(trial.user_attrs.get(ARCH_ID_ATTR), trial)
    return list(first.values())


def spread(rows: list, k: int) -> list:
    """``k`` rows evenly spaced from first to last by position (all of them when there are
    at most ``k``): the first, the last, and ``k - 2`` at rounded even steps between."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if len(rows) <= k:
        return list(rows)
    if k == 1:
        return [rows[0]]
    return [rows[round(i * (len(rows) - 1) / (k - 1))] for i in range(k)]


def handed_over(storage, study_name: str, k: int) -> list[str]:
    """The arch_ids of ``spread(front, k)`` of the stored study ``study_name``: the
    architectures its search listed, over the objectives it recorded."""
    from optuna.trial import TrialState

    from autost.exceptions import ReportError
    from autost.proxies.objective import parse_objective
    from autost.storage import load_study, objective_specs

    study = load_study(storage, study_name)
    specs = objective_specs(study)
    if not specs:
        raise ReportError(f"study {study_name!r} does not record its objectives, so it has "
                          "no front to spread; train it with --top K instead")
    directions = [parse_objective(s, error=ReportError).direction for s in specs]
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    front = front_trials(complete, directions)
    return [t.user_attrs.get(ARCH_ID_ATTR) for t in spread(front, k)]
