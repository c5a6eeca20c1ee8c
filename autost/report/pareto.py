"""Pareto fronts of a study's candidates over any stored scores (the dominance test is
autost.search.dominance's, the one the search's result uses too); the report keeps one
trial per architecture beforehand, since identical points are all kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autost.exceptions import ReportError
from autost.proxies.objective import Objective
from autost.report.entries import Entry, StudyEntries, load_entries
from autost.search.dominance import non_dominated


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
