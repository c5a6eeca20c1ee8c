"""Read an Optuna study back together with autost's rows: one CandidateRow per trial.

The search writes, per trial, user attrs ``arch_id``, ``settings_key``, ``space`` and, for a
candidate that could not be built or scored, ``fail_reason``, and the ceilings' constraint
values (feasible means every value <= 0); the study's user attr ``objectives`` holds the
objective specs, e.g. ``["flops:max", "energy:min"]`` (autost.storage.optuna_tables).

Everything is read with a few SELECTs (:func:`autost.storage.optuna_tables.read_trials`,
the stored score values without their per-layer rows, the trainings), never through
Optuna's trial objects, which parse every trial's parameters: a study of 10,000 trials read
that way took seconds. An architecture's ArchConfig is parsed only when a row's ``arch`` is
used (:class:`StoredArchs`), since a listing shows a page of rows and a top-k or a front a
few.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from autost.arch import ArchConfig
from autost.exceptions import StudyNotFoundError
from autost.proxies.direction import direction_of
from autost.storage.optuna_tables import (
    ARCH_ID_ATTR,
    FAIL_REASON_ATTR,
    OBJECTIVES_ATTR,
    SETTINGS_KEY_ATTR,
    SPACE_ATTR,
    StudyRecord,
    read_study,
    read_trials,
    study_names,
    trial_counts,
)


class StoredArchs(Mapping):
    """ArchConfigs by arch_id, read from autost's candidates and parsed on first use.

    ``arch_ids``: the architectures of one study in trial order (a lookup of any other gives
    KeyError). A lookup that misses reads the stored JSON of that architecture and of the
    next :attr:`BATCH` after it, so going through every row costs one query per batch, and a
    top-k or a front one query per member.
    """

    BATCH = 500

    def __init__(self, storage, arch_ids: Iterable[str]) -> None:
        self._storage = storage
        self._order = list(dict.fromkeys(arch_ids))
        self._position = {a: i for i, a in enumerate(self._order)}
        self._json: dict[str, str | None] = {}
        self._parsed: dict[str, ArchConfig | None] = {}

    def __getitem__(self, arch_id: str) -> ArchConfig:
        if arch_id not in self._parsed:
            self._parsed[arch_id] = self._parse(arch_id)
        cfg = self._parsed[arch_id]
        if cfg is None:  # not an architecture of the study, or its row was never written
            raise KeyError(arch_id)
        return cfg

    def _parse(self, arch_id: str) -> ArchConfig | None:
        at = self._position.get(arch_id)
        if at is None:
            return None
        if arch_id not in self._json:
            batch = [a for a in self._order[at:at + self.BATCH] if a not in self._json]
            found = self._storage.candidate_jsons(batch)
            self._json.update({a: found.get(a) for a in batch})
        text = self._json.pop(arch_id)
        return None if text is None else ArchConfig.from_json(text)

    def __iter__(self) -> Iterator[str]:
        return (a for a in self._order if a in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class CandidateRow:
    """One trial with its architecture, stored scores and, once trained, accuracy (%)."""

    number: int
    state: str
    values: list[float] | None
    feasible: bool
    violations: dict[str, float]
    arch_id: str | None
    settings_key: str | None
    space: str | None
    scores: dict[str, float] = field(default_factory=dict)
    rate_source: str | None = None
    fail_reason: str | None = None
    accuracy: float | None = None
    archs: Mapping[str, ArchConfig] = field(default_factory=dict, repr=False, compare=False)

    @property
    def arch(self) -> ArchConfig | None:
        """The trial's ArchConfig (None when none is stored), parsed on first use."""
        return self.archs.get(self.arch_id) if self.arch_id is not None else None


def load_study(storage, study_name: str):
    """The Optuna study of that name (for what needs Optuna's objects: a sampler, a
    training's trials); StudyNotFoundError lists the names that exist."""
    import optuna

    study_record(storage, study_name)
    return optuna.load_study(study_name=study_name, storage=storage.optuna_storage())


def study_record(storage, study_name: str) -> StudyRecord:
    """The study's own rows (autost.storage.optuna_tables.StudyRecord); StudyNotFoundError
    lists the names that exist. Reads only, so nothing is created in the database."""
    with storage.engine.connect() as connection:
        record = read_study(connection, study_name)
        if record is not None:
            return record
        names = study_names(connection)
    known = (f"studies there: {', '.join(names)}" if names
             else "it holds no studies yet; run `autost search` first")
    raise StudyNotFoundError(
        f"no study {study_name!r} in {storage.masked_url}; {known} "
        "(or give the right --storage)"
    )


def objective_specs(study: StudyRecord) -> list[str]:
    """The study's objectives as "name:max|min" specs ([] when they are not recorded).

    Uses the study user attr ``objectives`` written by the search, else Optuna's metric
    names with the study directions.
    """
    specs = study.user_attrs.get(OBJECTIVES_ATTR)
    if specs:
        return [str(s) for s in specs]
    names = study.metric_names
    if not names:
        return []
    return [f"{n}:{direction_of(d)}" for n, d in zip(names, study.directions, strict=True)]


def trial_rows(storage, study: StudyRecord) -> list[CandidateRow]:
    """One CandidateRow per trial of the study, in trial-number order."""
    with storage.engine.connect() as connection:
        trials = read_trials(connection, study.study_id)
    keys = {(t.user_attrs.get(ARCH_ID_ATTR), t.user_attrs.get(SETTINGS_KEY_ATTR))
            for t in trials}
    keys = {k for k in keys if k[0] is not None}
    archs = StoredArchs(storage, (t.user_attrs[ARCH_ID_ATTR] for t in trials
                                  if t.user_attrs.get(ARCH_ID_ATTR) is not None))
    scores = storage.score_values_for(k for k in keys if k[1] is not None)
    accuracy = _accuracies(storage, study.name, {a for a, _ in keys})
    return [_row(t, archs, scores, accuracy) for t in trials]


def _row(trial, archs, scores, accuracy) -> CandidateRow:
    arch_id = trial.user_attrs.get(ARCH_ID_ATTR)
    settings_key = trial.user_attrs.get(SETTINGS_KEY_ATTR)
    values, rate_source = scores.get((arch_id, settings_key), ({}, None))
    constraints = trial.constraints
    return CandidateRow(
        number=trial.number,
        state=trial.state,
        values=trial.values,
        feasible=all(v <= 0 for v in constraints.values()),
        violations={k: v for k, v in constraints.items() if v > 0},
        arch_id=arch_id,
        settings_key=settings_key,
        space=trial.user_attrs.get(SPACE_ATTR),
        scores=dict(values),
        rate_source=rate_source,
        fail_reason=trial.user_attrs.get(FAIL_REASON_ATTR),
        accuracy=accuracy.get(arch_id),
        archs=archs,
    )


def _accuracies(storage, study_name: str, arch_ids: set[str]) -> dict[str, float]:
    """Latest successful accuracy per architecture, a training of this study first."""
    best: dict[str, tuple[bool, int, float]] = {}
    for t in storage.trainings_of(arch_ids):
        if t.status != "ok" or t.accuracy is None:
            continue
        rank = (t.study_name == study_name, t.id, t.accuracy)
        if t.arch_id not in best or rank > best[t.arch_id]:
            best[t.arch_id] = rank
    return {a: r[2] for a, r in best.items()}


def study_fingerprint(storage, study_name: str) -> tuple:
    """A cheap value that changes whenever a trial of the study is added or finished, or a
    training is stored: (trials, finished trials, last finish, last training id).

    One aggregate query over Optuna's ``trials`` table, so a server can keep a study's rows in
    memory and reread them only when this changes.
    """
    import sqlalchemy as sa

    from autost.storage.models import Training

    with storage.engine.connect() as connection:
        counts = trial_counts(connection, study_name)
        last_training = connection.execute(sa.select(sa.func.max(Training.id))).scalar()
    return (*counts, last_training)
