"""A study's rows for the service, read once and kept until the study changes.

Reading a study of 10,000 trials takes a few tenths of a second (a few SELECTs, see
autost.storage.study_reader), while a page asks for it every few seconds;
:class:`StudyCache` keeps the :class:`StudyEntries` of each study and rereads them only
when :func:`autost.storage.study_fingerprint` changes (a trial added or finished, a
training stored). Everything else here shapes those rows for the API: the
progress counts, one trial as JSON, and the trial listing with filter, sort and paging.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter

from autost.exceptions import ReportError
from autost.report import StudyEntries, load_entries
from autost.report.entries import entry_of
from autost.report.scores import score_info
from autost.storage import study_fingerprint
from autost.storage.optuna_tables import (
    BUDGET_ATTR,
    CONSTRAINTS_ATTR,
    RATES_ATTR,
    SAMPLER_ATTR,
    SEED_ATTR,
    SPACE_ATTR,
)
from autost.tables import jsonable

STATES = ("COMPLETE", "INFEASIBLE", "RUNNING", "FAIL", "PRUNED", "WAITING")
MAX_PAGE = 500


class StudyCache:
    """StudyEntries per study name, reread when the study's fingerprint changes.

    While a search writes, the fingerprint changes with every trial; a study is then reread
    at most once per twice the time its last reading took, so a server showing a study of
    100,000 trials (seconds to read) keeps answering, a few seconds behind. Responses built
    from a reading are memoized with it (see :meth:`memo`).
    """

    MEMO_SIZE = 64

    def __init__(self, storage) -> None:
        self.storage = storage
        self._studies: dict[str, _Reading] = {}
        self._lock = threading.Lock()

    def get(self, study_name: str) -> StudyEntries:
        """The study's entries (StudyNotFoundError when there is no such study)."""
        return self._reading(study_name).entries

    def memo(self, study_name: str, key, build):
        """``build(entries)``, computed once per reading of the study and ``key``."""
        reading = self._reading(study_name)
        with self._lock:
            if key in reading.memo:
                return reading.memo[key]
        value = build(reading.entries)
        with self._lock:
            if len(reading.memo) >= self.MEMO_SIZE:
                reading.memo.clear()
            reading.memo[key] = value
        return value

    def _reading(self, study_name: str) -> _Reading:
        fingerprint = study_fingerprint(self.storage, study_name)
        with self._lock:
            cached = self._studies.get(study_name)
        if cached is not None and (cached.fingerprint == fingerprint or cached.fresh()):
            return cached
        started = time.monotonic()
        entries = load_entries(self.storage, study_name)
        reading = _Reading(fingerprint, entries, time.monotonic(), time.monotonic() - started)
        with self._lock:
            self._studies[study_name] = reading
        return reading


class _Reading:
    """One reading of a study: its entries, when it was read, how long that took."""

    def __init__(self, fingerprint, entries: StudyEntries, at: float, took: float) -> None:
        self.fingerprint, self.entries, self.at, self.took = fingerprint, entries, at, took
        self.memo: dict = {}

    def fresh(self) -> bool:
        return time.monotonic() - self.at < 2 * self.took


def state_of(row) -> str:
    """Optuna's state, with COMPLETE trials that break a ceiling shown as INFEASIBLE."""
    return "INFEASIBLE" if row.state == "COMPLETE" and not row.feasible else row.state


def progress(study: StudyEntries) -> dict:
    """Trial counts: ``complete`` counts every COMPLETE trial, as the budget does;
    ``feasible`` and ``infeasible`` split them; ``pruned`` are over-budget trials."""
    counts = Counter(state_of(r) for r in study.rows)
    complete = counts["COMPLETE"] + counts["INFEASIBLE"]
    return {"trials": len(study.rows), "complete": complete,
            "feasible": counts["COMPLETE"], "infeasible": counts["INFEASIBLE"],
            "running": counts["RUNNING"], "failed": counts["FAIL"],
            "pruned": counts["PRUNED"], "budget": study.user_attrs.get(BUDGET_ATTR),
            "candidates": len(study.entries)}


def plan(study: StudyEntries) -> dict:
    """What defines the study (from its user attrs, as the search recorded them)."""
    attrs = study.user_attrs
    return {"space": attrs.get(SPACE_ATTR), "objectives": [o.spec for o in study.objectives],
            "constraints": attrs.get(CONSTRAINTS_ATTR, {}), "sampler": attrs.get(SAMPLER_ATTR),
            "seed": attrs.get(SEED_ATTR), "budget": attrs.get(BUDGET_ATTR),
            "rates": attrs.get(RATES_ATTR)}


def summary(study: StudyEntries) -> dict:
    return {"name": study.study_name, "plan": plan(study), "progress": progress(study)}


def mixers(row) -> list[str]:
    """Token and channel mixers of a trial's architecture, each once, in block order."""
    if row.arch is None:
        return []
    names = [m for b in row.arch.blocks for m in (b.token_mixer, b.channel_mixer)]
    return list(dict.fromkeys(names))


def trial_json(row, entry) -> dict:
    """One trial: state, architecture, every known score (non-finite as null)."""
    return {"trial": row.number, "state": state_of(row), "arch_id": row.arch_id,
            "summary": entry.summary, "mixers": mixers(row),
            "scores": jsonable(entry.scores), "rate_source": row.rate_source,
            "violations": row.violations, "fail_reason": row.fail_reason}


def trial_entries(study: StudyEntries) -> list[tuple]:
    """(row, Entry) of every trial, in trial order (what :func:`list_trials` filters)."""
    return [(r, entry_of(r, study.objectives)) for r in study.rows]


def list_trials(study: StudyEntries, *, state: str | None = None, mixer: str | None = None,
                score: str | None = None, low: float | None = None, high: float | None = None,
                sort: str | None = None, offset: int = 0, limit: int = 50,
                feasible_first: bool = False, entries: list[tuple] | None = None) -> dict:
    """A page of a study's trials: filtered by state, mixer and a score range, sorted by a
    score ("name:max|min") or by trial number; trials without that score come last.
    ``feasible_first``: feasible COMPLETE trials before all others, as ``autost results
    top`` ranks only those. ``entries``: :func:`trial_entries` of the study, when the caller
    keeps them."""
    if state is not None and state.upper() not in STATES:
        raise ReportError(f"state {state!r} is not one of {', '.join(STATES)}")
    if not 1 <= limit <= MAX_PAGE:
        raise ReportError(f"limit {limit} must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise ReportError(f"offset {offset} must be 0 or more")
    entries = trial_entries(study) if entries is None else list(entries)
    if state is not None:
        entries = [(r, e) for r, e in entries if state_of(r) == state.upper()]
    if mixer is not None:
        entries = [(r, e) for r, e in entries if mixer in mixers(r)]
    if score is not None:
        (objective,) = study.resolve([score])
        entries = [(r, e) for r, e in entries if _within(e.scores.get(objective.name), low, high)]
    if sort is not None:
        (objective,) = study.resolve([sort])
        sign = -1.0 if objective.maximize else 1.0

        def key(item):
            value = item[1].scores.get(objective.name)
            finite = isinstance(value, int | float) and math.isfinite(value)
            return (feasible_first and state_of(item[0]) != "COMPLETE", not finite,
                    sign * value if finite else 0.0, item[0].number)

        entries.sort(key=key)
    page = entries[offset:offset + limit]
    names = sorted({n for _, e in page for n in e.scores})
    return {"study": study.study_name, "total": len(entries), "offset": offset,
            "limit": limit, "sort": sort, "units": {n: score_info(n).unit for n in names},
            "rows": [trial_json(r, e) for r, e in page]}


def _within(value, low, high) -> bool:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return (low is None or value >= low) and (high is None or value <= high)
