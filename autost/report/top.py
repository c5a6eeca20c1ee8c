"""The k best feasible candidates of a study by one score."""

from __future__ import annotations

import heapq

from autost.exceptions import ReportError
from autost.proxies.objective import Objective
from autost.report.entries import Entry, StudyEntries


def top_entries(study: StudyEntries, by: str | None = None, k: int = 10,
                offset: int = 0) -> tuple[Objective, list[Entry]]:
    """The objective ranked by and the ``k`` best entries under it after the first
    ``offset`` (a page of the ranking), best first.

    ``by`` is "name[:max|min]"; None means the study's first objective. Candidates
    without a finite value of that score are left out; ties keep trial order.
    """
    if k < 1:
        raise ReportError(f"-k must be at least 1, got {k}")
    if offset < 0:
        raise ReportError(f"--offset must be 0 or more, got {offset}")
    if by is None:
        if not study.objectives:
            raise ReportError(
                f"study {study.study_name!r} does not record its objectives; "
                "rank by a score, e.g. --by flops:max"
            )
        objective = study.objectives[0]
    else:
        (objective,) = study.resolve([by])
    entries = study.complete([objective])
    sign = -1.0 if objective.maximize else 1.0
    ranked = heapq.nsmallest(offset + k, entries,
                             key=lambda e: (sign * e.scores[objective.name], e.trial))
    return objective, ranked[offset:]


def spread_entries(storage, study: StudyEntries, k: int) -> tuple[Objective, list[Entry]]:
    """The study's first objective and the entries of the ``k`` architectures ``autost
    search`` lists for it: spread evenly along its front (:mod:`autost.search.front`),
    dearest first in energy on an accuracy-energy front."""
    from autost.search.front import handed_over

    if k < 1:
        raise ReportError(f"--spread must be at least 1, got {k}")
    ids = handed_over(storage, study.study_name, k)  # ReportError without objectives
    by_id = {e.arch_id: e for e in study.entries}
    return study.objectives[0], [by_id[a] for a in ids]
