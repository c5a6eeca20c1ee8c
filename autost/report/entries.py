"""A study's trials as report entries: feasible, complete, one per architecture.

An entry's ``scores`` hold every stored score of its (arch_id, settings_key), the trial's
objective values under the study's objective names where no stored score has that name,
and ``accuracy`` (%) once the architecture was trained. When the sampler proposed the same
architecture in several trials, the first trial stands for it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from autost.arch import ArchConfig
from autost.exceptions import ReportError, unknown_name
from autost.proxies.objective import Objective, parse_objective
from autost.storage import CandidateRow, objective_specs, study_record, trial_rows
from autost.wording import counted


@dataclass(frozen=True)
class Entry:
    """One feasible, complete candidate with every score known for it."""

    trial: int
    arch_id: str | None
    settings_key: str | None
    scores: dict[str, float]
    rate_source: str | None
    archs: Mapping[str, ArchConfig] = field(default_factory=dict, repr=False, compare=False)

    @property
    def arch(self) -> ArchConfig | None:
        """The ArchConfig (None when none is stored), parsed on first use."""
        return self.archs.get(self.arch_id) if self.arch_id is not None else None

    @property
    def summary(self) -> str:
        """Depth, width, T, splitter, token/channel mixer per block with expert counts."""
        return self.arch.summary() if self.arch is not None else ""


@dataclass(frozen=True)
class StudyEntries:
    """Everything a report reads from one study."""

    study_name: str
    user_attrs: dict
    objectives: list[Objective]  # the study's own ([] when not recorded)
    rows: list[CandidateRow]  # every trial, whatever its state
    entries: list[Entry]  # feasible complete trials, one per architecture

    def resolve(self, specs) -> list[Objective]:
        """Objectives from "name[:dir]" specs; none given means the study's own."""
        if not specs:
            if not self.objectives:
                raise ReportError(
                    f"study {self.study_name!r} does not record its objectives; name them, "
                    "e.g. --objective flops:max --objective energy:min"
                )
            return list(self.objectives)
        objectives = [parse_objective(s, known=self.objectives, error=ReportError) for s in specs]
        known = {n for e in self.entries for n in e.scores}
        for objective in objectives:
            if known and objective.name not in known:
                raise unknown_name("score", objective.name, known, error=ReportError)
        return objectives

    def complete(self, objectives: list[Objective]) -> list[Entry]:
        """Entries with a finite value for every objective, or ReportError if none."""
        names = [o.name for o in objectives]
        found = [e for e in self.entries
                 if all(is_finite_score(e.scores.get(n)) for n in names)]
        if not found:
            raise ReportError(self._nothing_message(names))
        return found

    def _nothing_message(self, names: list[str]) -> str:
        if not self.rows:
            return (f"study {self.study_name!r} has no trials yet; run "
                    f"`autost search --study {self.study_name}` first")
        states = Counter(r.state if r.state != "COMPLETE" or r.feasible else "INFEASIBLE"
                         for r in self.rows)
        what = ", ".join(f"{n} {s.lower()}" for s, n in sorted(states.items()))
        return (f"study {self.study_name!r} has no complete feasible trial with "
                f"{', '.join(names)} ({counted(len(self.rows), 'trial')}: {what}); relax the "
                "constraints, run more trials, or choose other --objective scores")


def load_entries(storage, study_name: str) -> StudyEntries:
    """Read a study (StudyNotFoundError if absent) into report entries."""
    study = study_record(storage, study_name)
    objectives = [parse_objective(s, error=ReportError) for s in objective_specs(study)]
    rows = trial_rows(storage, study)
    seen: set[str] = set()
    entries = []
    for row in rows:
        if row.state != "COMPLETE" or not row.feasible:
            continue
        if row.arch_id is not None and row.arch_id in seen:
            continue
        seen.add(row.arch_id)
        entries.append(entry_of(row, objectives))
    return StudyEntries(study_name, dict(study.user_attrs), objectives, rows, entries)


def entry_of(row: CandidateRow, objectives: list[Objective]) -> Entry:
    """Any trial as an Entry: its objective values, stored scores and accuracy (a trial
    that is not complete has only those it has)."""
    scores = {}
    if row.values is not None and len(row.values) == len(objectives):
        scores.update({o.name: v for o, v in zip(objectives, row.values, strict=True)})
    scores.update(row.scores)
    if row.accuracy is not None:
        scores["accuracy"] = row.accuracy
    return Entry(row.number, row.arch_id, row.settings_key, scores, row.rate_source, row.archs)


def is_finite_score(value) -> bool:
    """Whether a stored score is a number that ranks (not None, NaN or infinite)."""
    return isinstance(value, int | float) and math.isfinite(value)
