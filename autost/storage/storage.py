"""The results database: autost's tables and Optuna's RDBStorage on one URL.

Writes that several workers may race on (a candidate, its scores) are single
``INSERT ... ON CONFLICT DO NOTHING`` statements, so the first writer wins and nobody
fails. Non-finite floats (a NASWOT of -inf) are stored as the strings ``"inf"``,
``"-inf"``, ``"nan"`` because PostgreSQL's JSON has no such numbers, and read back as floats.
"""

from __future__ import annotations

import json
import math
import re
import socket
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from autost.arch import ArchConfig
from autost.storage import _url, optuna_tables, schema
from autost.storage.models import Candidate, Run, Score, StoredPredictor, Training
from autost.storage.score_sets import merge_score_sets
from autost.storage.training_stops import stop_of

VERSIONED_PACKAGES = ("autost", "optuna", "torch", "sqlalchemy")
TRAINING_STATUSES = ("ok", "failed")
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_NON_FINITE_TEXT = re.compile(r'"(?:-?inf|nan)"')  # one of them, as JSON writes it
_SCORE_SET = sa.select(Score.__table__).where(
    Score.__table__.c.arch_id == sa.bindparam("arch_id"),
    Score.__table__.c.settings_key == sa.bindparam("settings_key"))


@dataclass(frozen=True)
class StoredScores:
    """Scores of one architecture under one settings key, as stored."""

    arch_id: str
    settings_key: str
    values: dict[str, float]
    rate_source: str
    layers: list[dict]
    flags: list[str]
    created_at: datetime


@dataclass(frozen=True)
class TrainingRow:
    """One brief training; ``accuracy`` in percent, ``energy_mj`` per image (trained rates);
    ``epochs`` asked for, ``epochs_run`` and ``stop_reason`` as the table documents them."""

    id: int
    arch_id: str
    study_name: str | None
    trial_number: int | None
    dataset: str
    epochs: int
    seed: int
    settings_key: str | None
    status: str
    accuracy: float | None
    history: list | None
    rates: dict | None
    energy_mj: float | None
    error: str | None
    created_at: datetime
    epochs_run: int | None = None
    stop_reason: str | None = None

    @property
    def seconds(self) -> float:
        """Wall seconds of the epochs it ran, validation included (0 where no history)."""
        return sum(epoch.get("seconds", 0.0) for epoch in self.history or [])

    @property
    def surrogate(self) -> str:
        """What was trained in the candidate's place: the recipe key's ``surrogate=`` (see
        autost.surrogate), ``full`` where the key names none."""
        for part in (self.settings_key or "").split(","):
            field_name, _, value = part.partition("=")
            if field_name == "surrogate":
                return value
        return "full"


@dataclass(frozen=True)
class RunRow:
    """One recorded search invocation."""

    id: int
    study_name: str
    space: str
    settings: dict
    seed: int | None
    versions: dict
    host: str
    created_at: datetime


def open_storage(url: str | None = None, create: bool = True) -> Storage:
    """Open (and create or upgrade) the results database at ``url``.

    None means ``sqlite:///autost.db`` in the working directory. Raises StorageError within
    seconds for a malformed or unreachable URL, with the password masked. ``create=False``
    is for commands that only read results: a missing SQLite file is then an error instead
    of a new empty database left behind in the wrong directory.
    """
    parsed = _url.parse_url(url)
    if not create:
        _url.require_existing(parsed)
    engine = _url.create_engine(parsed)
    storage = Storage(parsed, engine)
    schema.upgrade(engine, storage.masked_url)
    return storage


class Storage:
    """autost's tables and Optuna's study storage in one database (see :func:`open_storage`)."""

    def __init__(self, parsed_url, engine) -> None:
        self._parsed = parsed_url
        self.url = _url.render(parsed_url, hide_password=False)
        self.masked_url = _url.render(parsed_url, hide_password=True)
        self.engine = engine
        self._optuna_checked = False
        self._optuna_engines = []
        self._plain_optuna = None

    def __repr__(self) -> str:
        return f"Storage({self.masked_url!r})"

    def close(self) -> None:
        """Close every connection, also those of the RDBStorages handed out (SQLite then
        folds its write-ahead log back into the database file)."""
        for engine in self._optuna_engines:
            engine.dispose()
        self.engine.dispose()

    def optuna_storage(
        self, heartbeat_interval: int | None = None, grace_period: int | None = None,
        max_retry: int = 3,
    ):
        """Optuna's RDBStorage on the same database (see
        :func:`autost.storage.optuna_tables.create_optuna_storage`).

        With ``heartbeat_interval`` (seconds) a trial whose worker stopped beating for
        ``grace_period`` is failed and re-queued up to ``max_retry`` times. Optuna's table
        creation and version check run once per Storage, under the schema lock so that
        processes starting together do not create the tables twice, then are skipped.
        Without heartbeats (readers: reports, the service) every call shares one
        RDBStorage, so a long-lived reader does not open an engine per request.
        """
        if heartbeat_interval is None and self._plain_optuna is not None:
            return self._plain_optuna

        lock = schema.schema_lock(self.engine)
        try:
            with nullcontext() if self._optuna_checked else lock.held():
                rdb = optuna_tables.create_optuna_storage(
                    self.url, _url.engine_kwargs(self._parsed), checked=self._optuna_checked,
                    heartbeat_interval=heartbeat_interval, grace_period=grace_period,
                    max_retry=max_retry)
        finally:
            lock.close()
        self._optuna_checked = True
        self._optuna_engines.append(rdb.engine)
        if heartbeat_interval is None:
            self._plain_optuna = rdb
        return rdb

    # -- runs ------------------------------------------------------------------------
    def record_run(self, study_name: str, space: str, settings: dict, seed: int | None) -> int:
        """Store one search invocation with the package versions and host; return its id."""
        run = Run(study_name=study_name, space=space, settings=_encode(settings), seed=seed,
                  versions=package_versions(), host=socket.gethostname())
        with Session(self.engine) as session, session.begin():
            session.add(run)
            session.flush()
            return run.id

    def runs(self, study_name: str) -> list[RunRow]:
        """Runs of a study, oldest first."""
        query = sa.select(Run).where(Run.study_name == study_name).order_by(Run.id)
        with Session(self.engine) as session:
            return [
                RunRow(r.id, r.study_name, r.space, _decode(r.settings), r.seed, r.versions,
                       r.host, r.created_at)
                for r in session.scalars(query)
            ]

    # -- candidates and scores ---------------------------------------------------------
    def add_candidate(self, cfg: ArchConfig, space: str) -> None:
        """Store an architecture once; a second call (from any process) does nothing."""
        self._insert_ignore(Candidate, {"arch_id": cfg.arch_id, "arch_json": cfg.to_json(),
                                        "space": space})

    def get_candidate(self, arch_id: str) -> ArchConfig | None:
        return self.get_candidates([arch_id]).get(arch_id)

    def find_arch_ids(self, prefix: str, limit: int = 10) -> list[str]:
        """Stored arch_ids starting with ``prefix`` (hex digits), at most ``limit``."""
        prefix = prefix.lower()
        if not prefix or any(c not in "0123456789abcdef" for c in prefix):
            return []
        query = (sa.select(Candidate.arch_id).where(Candidate.arch_id.startswith(prefix))
                 .order_by(Candidate.arch_id).limit(limit))
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def get_candidates(self, arch_ids) -> dict[str, ArchConfig]:
        """ArchConfigs of the stored ones among ``arch_ids``."""
        return {a: ArchConfig.from_json(j) for a, j in self.candidate_jsons(arch_ids).items()}

    def candidate_jsons(self, arch_ids) -> dict[str, str]:
        """The stored ArchConfig JSON of those among ``arch_ids`` (parse what is used)."""
        return dict(self._select_in(sa.select(Candidate.arch_id, Candidate.arch_json),
                                    Candidate.arch_id, arch_ids))

    def candidate_spaces(self, arch_ids) -> dict[str, str]:
        """arch_id -> the space it was first stored for, of the stored ones among
        ``arch_ids``."""
        return dict(self._select_in(sa.select(Candidate.arch_id, Candidate.space),
                                    Candidate.arch_id, arch_ids))

    def put_scores(self, arch_id: str, settings_key: str, result) -> StoredScores:
        """Store a ScoreResult-like (values, rate_source, layers, flags) into the score set of
        ``arch_id`` under ``settings_key``, merged with what it holds (a value stored first
        stays; see :func:`autost.storage.score_sets.merge_score_sets`); return the set."""
        new = {"values": _encode(dict(result.values)), "rate_source": result.rate_source,
               "layers": _encode(list(result.layers)),
               "flags": list(getattr(result, "flags", []) or [])}
        table = Score.__table__
        this = (table.c.arch_id == arch_id) & (table.c.settings_key == settings_key)
        insert = _url.dialect_insert(self.engine)(table).values(
            arch_id=arch_id, settings_key=settings_key, **new)
        with self.engine.connect() as connection:
            connection.execution_options(autost_write_lock=True)  # read what it will change
            with connection.begin():
                created = connection.execute(insert.on_conflict_do_nothing(
                    index_elements=["arch_id", "settings_key"])
                    .returning(table.c.created_at)).scalar()
                if created is not None:  # a new set: nothing to merge, nothing to read back
                    return StoredScores(arch_id, settings_key, _decode(new["values"]),
                                        new["rate_source"], _decode(new["layers"]),
                                        new["flags"], created)
                row = connection.execute(
                    sa.select(table).where(this).with_for_update()).mappings().one()
                merged = merge_score_sets(row, new)
                if any(merged[k] != row[k] for k in merged):
                    connection.execute(table.update().where(this).values(**merged))
        return _stored(SimpleNamespace(**(dict(row) | merged)))

    def get_scores(self, arch_id: str, settings_key: str) -> StoredScores | None:
        with self.engine.connect() as connection:  # Core, built once: a search asks per trial
            row = connection.execute(_SCORE_SET, {"arch_id": arch_id,
                                                  "settings_key": settings_key}).one_or_none()
        return None if row is None else _stored(row)

    def all_scores(self, arch_id: str) -> list[StoredScores]:
        """Every score set stored for an architecture, oldest first."""
        query = sa.select(Score).where(Score.arch_id == arch_id).order_by(Score.created_at)
        with Session(self.engine) as session:
            return [_stored(r) for r in session.scalars(query)]

    def score_values_for(self, pairs) -> dict[tuple[str, str], tuple[dict[str, float], str]]:
        """(values, rate_source) of the stored score sets of many (arch_id, settings_key)
        pairs, keyed by the pair; not their per-layer rows, which weigh tens of kilobytes a
        set and which a listing of a study or a search's summary never shows."""
        pairs = set(pairs)
        query = sa.select(Score.arch_id, Score.settings_key, Score.values, Score.rate_source)
        return {(a, k): (_decode(values), rate) for a, k, values, rate in
                self._select_in(query, Score.arch_id, {a for a, _ in pairs})
                if (a, k) in pairs}

    # -- trainings ---------------------------------------------------------------------
    def add_training(
        self, arch_id: str, *, dataset: str, epochs: int, seed: int, status: str,
        settings_key: str | None = None, accuracy: float | None = None,
        history: list | None = None, rates: dict | None = None,
        energy_mj: float | None = None, error: str | None = None,
        study_name: str | None = None, trial_number: int | None = None,
        epochs_run: int | None = None,
    ) -> int:
        """Store one brief training (accuracy in percent); return its id.

        ``epochs_run`` (None: ``epochs``) gives the stop reason: ``error`` for a failed
        training, ``asha`` for one that ran fewer epochs than asked, else ``completed``.
        """
        if status not in TRAINING_STATUSES:
            raise ValueError(f"status must be one of {TRAINING_STATUSES}, not {status!r}")
        epochs_run = epochs if epochs_run is None else epochs_run
        row = Training(
            arch_id=arch_id, study_name=study_name, trial_number=trial_number,
            dataset=dataset, epochs=epochs, seed=seed, settings_key=settings_key,
            status=status, accuracy=accuracy,
            history=_encode(history), rates=_encode(rates), energy_mj=energy_mj, error=error,
            epochs_run=epochs_run, stop_reason=stop_of(status, epochs, epochs_run),
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def trainings(self, arch_id: str | None = None,
                  study_name: str | None = None) -> list[TrainingRow]:
        """Trainings, oldest first, optionally of one architecture and/or one study."""
        query = sa.select(Training).order_by(Training.id)
        if arch_id is not None:
            query = query.where(Training.arch_id == arch_id)
        if study_name is not None:
            query = query.where(Training.study_name == study_name)
        with Session(self.engine) as session:
            return [_training(r) for r in session.scalars(query)]

    def trainings_of(self, arch_ids) -> list[TrainingRow]:
        """Trainings of any of ``arch_ids``, oldest first."""
        rows = []
        with Session(self.engine) as session:
            for chunk in _chunks(sorted(set(arch_ids))):
                query = sa.select(Training).where(Training.arch_id.in_(chunk))
                rows.extend(_training(r) for r in session.scalars(query))
        return sorted(rows, key=lambda r: r.id)

    # -- predictors --------------------------------------------------------------------
    def put_predictor(self, predictor, replace: bool = False) -> bool:
        """Store a fitted Predictor under its name; return False (and write nothing) when
        that name exists and ``replace`` is False."""
        row = {"name": predictor.name, "dataset": predictor.dataset,
               "model": _encode(predictor.to_dict()),
               "cv_kendall_tau": predictor.cv_kendall_tau,
               "n_trainings": predictor.n_trainings}
        table = StoredPredictor.__table__
        with self.engine.begin() as connection:
            exists = connection.execute(sa.select(table.c.name).where(
                table.c.name == predictor.name)).first() is not None
            if exists and not replace:
                return False
            if exists:
                connection.execute(table.delete().where(table.c.name == predictor.name))
            connection.execute(table.insert().values(**row, created_at=datetime.now(UTC)))
        return True

    def get_predictor(self, name: str):
        """The Predictor stored as ``name``, or None."""
        from autost.proxies.predictor import Predictor

        with Session(self.engine) as session:
            row = session.get(StoredPredictor, name)
            return None if row is None else Predictor.from_dict(_decode(row.model))

    def predictor_names(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(
                sa.select(StoredPredictor.name).order_by(StoredPredictor.name)).scalars())

    # -- helpers -----------------------------------------------------------------------
    def _insert_ignore(self, model, row: dict) -> None:
        insert = _url.dialect_insert(self.engine)
        keys = [c.name for c in model.__table__.primary_key.columns]
        stmt = insert(model).values(**row).on_conflict_do_nothing(index_elements=keys)
        with self.engine.begin() as connection:
            connection.execute(stmt)

    def _select_in(self, query, column, values) -> list:
        """The rows of ``query`` whose ``column`` is one of ``values``. PostgreSQL takes the
        values as one array parameter (``= ANY``): one query, where IN lists of a few
        hundred bound values each cost psycopg a conversion of their own (a third of a
        10,000-trial report's reads); SQLite gets IN lists within its parameter limit."""
        values = sorted(set(values))
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                from sqlalchemy.dialects import postgresql  # loaded by a PostgreSQL engine

                array = sa.bindparam("values", values, type_=postgresql.ARRAY(column.type))
                return connection.execute(query.where(column == sa.any_(array))).all()
            rows = []
            for chunk in _chunks(values):
                rows.extend(connection.execute(query.where(column.in_(chunk))).all())
        return rows


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that decide a run's numbers (None if missing)."""
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _encode(obj):
    """``obj`` as a JSON column holds it: non-finite floats (which JSON cannot hold) as
    strings, tuples as lists, keys as strings: a JSON round trip, after a walk that replaces
    the non-finite floats only where there are some (walking a score set's few hundred layer
    rows in Python took longer than storing them)."""
    try:
        text = json.dumps(obj, allow_nan=False)
    except ValueError:
        text = json.dumps(_encode_each(obj))
    return json.loads(text)


def _encode_each(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: _encode_each(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_encode_each(v) for v in obj]
    return obj


def _decode(obj):
    """What :func:`_encode` stored, its non-finite floats back; ``obj`` itself where it
    holds none (a search reads score sets of a few hundred layer rows)."""
    if isinstance(obj, dict | list) and not _NON_FINITE_TEXT.search(json.dumps(obj)):
        return obj  # read from a JSON column: it always serialises
    return _decode_each(obj)


def _decode_each(obj):
    if isinstance(obj, str) and obj in _NON_FINITE:
        return _NON_FINITE[obj]
    if isinstance(obj, dict):
        return {k: _decode_each(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode_each(v) for v in obj]
    return obj


def _stored(row: Score) -> StoredScores:
    return StoredScores(row.arch_id, row.settings_key, _decode(row.values), row.rate_source,
                        _decode(row.layers), list(row.flags), row.created_at)


def _training(r: Training) -> TrainingRow:
    return TrainingRow(r.id, r.arch_id, r.study_name, r.trial_number, r.dataset, r.epochs,
                       r.seed, r.settings_key, r.status, r.accuracy, _decode(r.history),
                       _decode(r.rates), r.energy_mj, r.error, r.created_at, r.epochs_run,
                       r.stop_reason)
