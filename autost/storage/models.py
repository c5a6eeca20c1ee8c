"""SQLAlchemy 2 models of autost's own tables, beside Optuna's in the same database.

Every table name starts with ``autost_`` so it never collides with Optuna's. The layout
here must match what the migrations in :mod:`autost.storage.schema` build (a test compares
them). No foreign keys: scores may be written before their candidate row by another worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PREFIX = "autost_"


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the autost tables (its metadata holds nothing of Optuna's)."""


class Meta(Base):
    """Key-value facts about the autost schema; ``schema_version`` lives here."""

    __tablename__ = PREFIX + "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class Run(Base):
    """One search invocation: what was asked and with which software."""

    __tablename__ = PREFIX + "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_name: Mapped[str] = mapped_column(String(512), index=True)
    space: Mapped[str] = mapped_column(String(512))
    settings: Mapped[dict] = mapped_column(JSON)
    seed: Mapped[int | None] = mapped_column(Integer)
    versions: Mapped[dict] = mapped_column(JSON)
    host: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Candidate(Base):
    """One architecture, keyed by its arch_id (SHA-256 of the canonical ArchConfig JSON)."""

    __tablename__ = PREFIX + "candidates"
    arch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    arch_json: Mapped[str] = mapped_column(Text)
    space: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Score(Base):
    """Every proxy value of one architecture under one ScoreSettings key (first writer wins).

    ``values`` maps score name to value (units: see autost.report.scores); ``layers`` is the
    per-layer breakdown; ``flags`` names silent or saturated layers.
    """

    __tablename__ = PREFIX + "scores"
    arch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON)
    rate_source: Mapped[str] = mapped_column(String(32))
    layers: Mapped[list] = mapped_column(JSON)
    flags: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Claim(Base):
    """An architecture being scored under one settings key by the process ``owner``.

    ``claimed_at`` (seconds since the epoch, the owner's clock) is refreshed while the owner
    scores; the row is deleted once the scores are stored (see autost.storage.claims).
    """

    __tablename__ = PREFIX + "claims"
    arch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    claimed_at: Mapped[float] = mapped_column(Float)


class Training(Base):
    """One brief training of an architecture; ``status`` is ``ok`` or ``failed``.

    ``epochs`` is the budget asked for, ``epochs_run`` the epochs it ran and ``stop_reason``
    why it ended: ``completed`` (the whole budget), ``asha`` (stopped early by the ASHA
    scheduler for trailing its rung: its accuracy is that of ``epochs_run`` epochs of a
    schedule made for ``epochs``) or ``error``. Both are None for a row whose history was
    not stored.

    ``accuracy`` is top-1 on the validation split in percent; ``energy_mj`` is per image with
    rates measured on the trained model (rate source ``trained``). ``settings_key`` is the
    whole recipe (TrainSettings.key()); it decides which trainings a rerun may reuse.
    """

    __tablename__ = PREFIX + "trainings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    arch_id: Mapped[str] = mapped_column(String(64), index=True)
    study_name: Mapped[str | None] = mapped_column(String(512), index=True)
    trial_number: Mapped[int | None] = mapped_column(Integer)
    dataset: Mapped[str] = mapped_column(String(64))
    epochs: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    settings_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    accuracy: Mapped[float | None] = mapped_column(Float)
    history: Mapped[list | None] = mapped_column(JSON)
    rates: Mapped[dict | None] = mapped_column(JSON)
    energy_mj: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    epochs_run: Mapped[int | None] = mapped_column(Integer)
    stop_reason: Mapped[str | None] = mapped_column(String(16))


class Job(Base):
    """One search or training submitted to ``autost serve``, run by a process it starts.

    ``status``: queued, running, done, failed, cancelled or interrupted (a training whose
    server stopped; an interrupted search is queued again). ``params`` are the submitted
    options; ``result`` the job's outcome as JSON; ``log_tail`` the last lines it printed.
    """

    __tablename__ = PREFIX + "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    study_name: Mapped[str] = mapped_column(String(512), index=True)
    params: Mapped[dict] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    pid: Mapped[int | None] = mapped_column(Integer)
    log_tail: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the lease of a running job: the server that runs it and its last beat (epoch s)
    server_host: Mapped[str | None] = mapped_column(String(255))
    server_pid: Mapped[int | None] = mapped_column(Integer)
    server_beat: Mapped[float | None] = mapped_column(Float)


class StoredPredictor(Base):
    """A supervised proxy combination fitted by `autost calibrate`, by name.

    ``model`` is :meth:`autost.proxies.predictor.Predictor.to_dict` (plain JSON: the closed
    form, no pickle); the dataset and the cross-validated Kendall tau are also columns so
    listings need not parse it.
    """

    __tablename__ = PREFIX + "predictors"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64))
    model: Mapped[dict] = mapped_column(JSON)
    cv_kendall_tau: Mapped[float] = mapped_column(Float)
    n_trainings: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
