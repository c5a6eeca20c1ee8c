"""Read an Optuna study back together with autost's rows: one CandidateRow per trial.

The search writes, per trial, user attrs ``arch_id``, ``settings_key``, ``space`` and, for a
candidate that could not be built or scored, ``fail_reason``, and the ceilings' constraint
values (feasible means every value <= 0); the study's user attr ``objectives`` holds the
objective specs, e.g. ``["flops:max", "energy:min"]`` (autost.storage.optuna_tables). All
are read here through Optuna's public API.
"""

from __future__ import annotations

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
    trial_counts,
)


@dataclass(frozen=True)
class CandidateRow:
    """One trial with its architecture, stored scores and, once trained, accuracy (%)."""

    number: int
    state: str
    values: list[float] | None
    feasible: bool
    violations: dict[str, float]
    arch_id: str | None
    arch: ArchConfig | None
    settings_key: str | None
    space: str | None
    scores: dict[str, float] = field(default_factory=dict)
    rate_source: str | None = None
    fail_reason: str | None = None
    accuracy: float | None = None


def load_study(storage, study_name: str):
    """The Optuna study of that name; StudyNotFoundError lists the names that exist."""
    import optuna

    rdb = storage.optuna_storage()
    try:
        return optuna.load_study(study_name=study_name, storage=rdb)
    except KeyError:
        names = sorted(optuna.get_all_study_names(rdb))
        known = (f"studies there: {', '.join(names)}" if names
                 else "it holds no studies yet; run `autost search` first")
        raise StudyNotFoundError(
            f"no study {study_name!r} in {storage.masked_url}; {known} "
            "(or give the right --storage)"
        ) from None


def objective_specs(study) -> list[str]:
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


def trial_rows(storage, study) -> list[CandidateRow]:
    """One CandidateRow per trial of a loaded Optuna study, in trial-number order."""
    study_name = study.study_name
    trials = study.get_trials(deepcopy=False)
    keys = {(t.user_attrs.get(ARCH_ID_ATTR), t.user_attrs.get(SETTINGS_KEY_ATTR)) for t in trials}
    keys = {k for k in keys if k[0] is not None}
    archs = storage.get_candidates({a for a, _ in keys})
    scores = storage.scores_for(k for k in keys if k[1] is not None)
    accuracy = _accuracies(storage, study_name, {a for a, _ in keys})
    return [_row(t, archs, scores, accuracy) for t in sorted(trials, key=lambda t: t.number)]


def _row(trial, archs, scores, accuracy) -> CandidateRow:
    arch_id = trial.user_attrs.get(ARCH_ID_ATTR)
    settings_key = trial.user_attrs.get(SETTINGS_KEY_ATTR)
    stored = scores.get((arch_id, settings_key))
    constraints = trial.constraints
    return CandidateRow(
        number=trial.number,
        state=trial.state.name,
        values=list(trial.values) if trial.values is not None else None,
        feasible=all(v <= 0 for v in constraints.values()),
        violations={k: v for k, v in constraints.items() if v > 0},
        arch_id=arch_id,
        arch=archs.get(arch_id),
        settings_key=settings_key,
        space=trial.user_attrs.get(SPACE_ATTR),
        scores=dict(stored.values) if stored else {},
        rate_source=stored.rate_source if stored else None,
        fail_reason=trial.user_attrs.get(FAIL_REASON_ATTR),
        accuracy=accuracy.get(arch_id),
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
