"""Every read and write autost makes in Optuna's tables, and the attribute keys it uses.

A study is a plain Optuna study (Akiba et al., "Optuna: A Next-generation Hyperparameter
Optimization Framework", KDD 2019), so ``optuna best-trials`` and optuna-dashboard open it
as is. autost reads it back through Optuna's public API (``load_study``,
``FrozenTrial.user_attrs`` and ``.constraints``, ``Study.user_attrs``). These things go
around that API, and only here or in the two RDBStorage subclasses beside this module (a
trial read in bulk, autost.storage.frozen_trials; a search's trial written in two
transactions, autost.storage.batched_writes):

- attribute writes in one transaction (:func:`attr_rows` with :func:`upsert_rows`, which the
  search writes with the trial's state, and :func:`write_study_attrs`): Optuna commits every
  ``set_user_attr`` and ``set_constraint`` on its own, which with three user attrs and a
  constraint or two per candidate was a quarter of the search loop on SQLite, and a worker
  that joins a study being created must see either none of its settings or all;
- a user attr on a finished trial (:func:`write_finished_trial_attr`), which Optuna's
  storage refuses (``UpdateFinishedTrialError``) although a trained accuracy belongs there;
- two counts the database answers in one query (:func:`count_complete`,
  :func:`trial_counts`) where Optuna would load every trial;
- a study's rows read in a few SELECTs (:func:`read_study`, :func:`read_trials`): what the
  reports and the service need of every trial (state, values, autost's user attrs,
  constraints), without the parameters and distributions that Optuna parses for each trial
  (about 0.2 ms a trial through ``Study.get_trials``; 10,000 trials took seconds);
- re-keyed arch_ids and score-set keys in stored user attrs (:func:`trial_attr_values`,
  :func:`rename_attr_values`), inside a schema upgrade.

The rows written are exactly Optuna's: JSON text in ``value_json`` of
``trial_user_attributes`` / ``study_user_attributes``, and a constraint in
``trial_system_attributes`` under ``constraints:NAME``, what ``Trial.set_constraint`` writes
and ``FrozenTrial.constraints`` reads. Optuna's schema migrations keep these tables stable.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass

import sqlalchemy as sa

from autost.storage import _url

# User attrs of a trial, written by the search (and by training: accuracy).
ARCH_ID_ATTR = "arch_id"
SETTINGS_KEY_ATTR = "settings_key"  # the score set's key (autost.storage.score_sets)
SPACE_ATTR = "space"  # also a study attr
FAIL_REASON_ATTR = "fail_reason"  # a candidate that could not be built or scored
OVER_BUDGET_ATTR = "over_budget"  # told PRUNED: other processes had filled the budget
ACCURACY_ATTR = "accuracy"  # percent, once trained
# User attrs of a study: the search's plan (autost.search.plan.SearchPlan), plain keys
# because reports and Optuna's own tools read them.
SPACE_SOURCE_ATTR = "space_source"
SPACE_TEXT_ATTR = "space_text"  # the space file's text, for a space that is not a named one
OBJECTIVES_ATTR = "objectives"
CONSTRAINTS_ATTR = "constraints"
SAMPLER_ATTR = "sampler"
SEED_ATTR = "seed"
RATES_ATTR = "rates"
BUDGET_ATTR = "budget"
SCORE_SETTINGS_ATTR = "score_settings"
PREDICTOR_ATTR = "predictor"

_CONSTRAINT_PREFIX = "constraints:"  # Optuna's system attr key of a trial's constraint
_TRIAL_USER = sa.table("trial_user_attributes", sa.column("trial_id"), sa.column("key"),
                       sa.column("value_json"))
_TRIAL_SYSTEM = sa.table("trial_system_attributes", sa.column("trial_id"), sa.column("key"),
                         sa.column("value_json"))
_STUDY_USER = sa.table("study_user_attributes", sa.column("study_id"), sa.column("key"),
                       sa.column("value_json"))
_STUDY_SYSTEM = sa.table("study_system_attributes", sa.column("study_id"), sa.column("key"),
                         sa.column("value_json"))
_STUDIES = sa.table("studies", sa.column("study_id"), sa.column("study_name"))
_DIRECTIONS = sa.table("study_directions", sa.column("study_id"), sa.column("objective"),
                       sa.column("direction"))
_TRIALS = sa.table("trials", sa.column("trial_id"), sa.column("study_id"),
                   sa.column("number"), sa.column("state"), sa.column("datetime_complete"))
_VALUES = sa.table("trial_values", sa.column("trial_id"), sa.column("objective"),
                   sa.column("value"), sa.column("value_type"))
_TRIAL_USER_ID = sa.column("trial_user_attribute_id")
_TRIAL_SYSTEM_ID = sa.column("trial_system_attribute_id")
_METRIC_NAMES_KEY = "study:metric_names"  # Optuna's study system attr of Study.metric_names
_OLD_CONSTRAINTS_KEY = "constraints"  # a list, what Optuna wrote before named constraints
# Optuna's stored types of a value or intermediate value that is not a finite float (its
# value column NULL); FINITE: the value column.
_STORED_VALUE = {"INF_POS": math.inf, "INF_NEG": -math.inf, "NAN": math.nan}
# The trial user attrs a study reader needs (a trained accuracy is read from the trainings).
READ_TRIAL_ATTRS = (ARCH_ID_ATTR, SETTINGS_KEY_ATTR, SPACE_ATTR, FAIL_REASON_ATTR)


@dataclass(frozen=True)
class StudyRecord:
    """A study's own rows: its id, directions (Optuna's names, MAXIMIZE or MINIMIZE, per
    objective), user attrs and the metric names Optuna keeps (None when not set)."""

    study_id: int
    name: str
    directions: list[str]
    user_attrs: dict
    metric_names: list[str] | None


@dataclass(frozen=True)
class TrialRecord:
    """One trial as ``FrozenTrial`` shows it: ``state`` the TrialState's name, ``values``
    None unless told, the user attrs of :data:`READ_TRIAL_ATTRS` it has, its constraints."""

    number: int
    state: str
    values: list[float] | None
    user_attrs: dict
    constraints: dict[str, float]


def create_optuna_storage(url: str, engine_kwargs: dict, *, checked: bool,
                          heartbeat_interval: int | None, grace_period: int | None,
                          max_retry: int):
    """Optuna's RDBStorage on ``url`` (heartbeats as autost.storage.Storage.optuna_storage
    describes them), reading trials in bulk (autost.storage.frozen_trials) and writing a
    search's trial in two transactions (autost.storage.batched_writes); on SQLite with
    autost's connection pragmas.

    ``checked``: Optuna's table creation and version check already ran for this database
    (they cost ~30 ms). Optuna commits every suggested parameter on its own; with SQLite's
    default ``synchronous = FULL`` each commit waited for the disk, about 40 % of a cost-only
    search (see autost.storage._url.sqlite_pragmas).
    """
    import optuna

    from autost.storage.batched_writes import BatchedWritesRDBStorage

    with warnings.catch_warnings():  # heartbeats are "experimental" since Optuna 2.8
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        callback = None
        if heartbeat_interval is not None:
            callback = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
        rdb = BatchedWritesRDBStorage(
            url, engine_kwargs=engine_kwargs, skip_compatibility_check=checked,
            skip_table_creation=checked, heartbeat_interval=heartbeat_interval,
            grace_period=grace_period, heartbeat_stale_trial_callback=callback)
    if rdb.engine.dialect.name == "sqlite":
        sa.event.listen(rdb.engine, "connect", _url.sqlite_pragmas)
        rdb.engine.dispose()  # connections opened before the listener reconnect with it
    return rdb


def fail_stale_without_retry(rdb, study_id: int, among: set[int]) -> set[int]:
    """Fail the trials of ``among`` whose heartbeat is older than the storage's grace period,
    without the retry copy Optuna's ``fail_stale_trials`` queues (for a search whose budget
    is already full); the ids failed."""
    import optuna

    failed = set()
    for stale in set(rdb._get_stale_trial_ids(study_id)) & among:
        try:
            if rdb.set_trial_state_values(stale, optuna.trial.TrialState.FAIL):
                failed.add(stale)
        except optuna.exceptions.UpdateFinishedTrialError:
            pass  # finished by another process in between
    return failed


def trial_id(trial) -> int:
    """The storage's id of a live ``optuna.Trial`` (what heartbeats and attr rows key by)."""
    return trial._trial_id


def attr_rows(user: dict, constraints: dict[str, float]) -> list[tuple]:
    """(table, key, value) rows of a trial's user attrs and constraint values, as Optuna
    stores them; what :func:`upsert_rows` writes (see the search's batched writes,
    autost.storage.batched_writes)."""
    rows = [(_TRIAL_USER, key, value) for key, value in user.items()]
    rows += [(_TRIAL_SYSTEM, _CONSTRAINT_PREFIX + key, float(v))
             for key, v in constraints.items()]
    return rows


def write_finished_trial_attr(storage, study_name: str, number: int, key: str,
                              value) -> None:
    """Set user attr ``key`` of trial ``number`` of a study, finished or not.

    ``storage``: autost's Storage; the trial id comes from Optuna's public lookup.
    """
    rdb = storage.optuna_storage()
    study_id = rdb.get_study_id_from_name(study_name)
    owner = rdb.get_trial_id_from_study_id_trial_number(study_id, number)
    _upsert(storage.engine, "trial_id", owner, [(_TRIAL_USER, key, value)])


def write_study_attrs(rdb, study_name: str, attrs: dict) -> None:
    """Upsert user attrs of one study (on Optuna's storage ``rdb``), in one transaction."""
    study_id = rdb.get_study_id_from_name(study_name)
    _upsert(rdb.engine, "study_id", study_id,
            [(_STUDY_USER, key, value) for key, value in attrs.items()])


def _upsert(engine, id_column: str, owner_id: int, rows) -> None:
    """:func:`upsert_rows` in a transaction of its own."""
    if not rows:
        return
    with engine.begin() as connection:
        upsert_rows(connection, engine, id_column, owner_id, rows)


def upsert_rows(connection, engine, id_column: str, owner_id: int, rows) -> None:
    """Write (table, key, value) rows of one trial or study on ``connection`` (a connection
    or session of ``engine``'s database), one statement per table; a key present is
    overwritten, and of a key given twice the last value is written."""
    tables: dict = {}
    for table, key, value in rows:
        tables.setdefault(table, {})[key] = json.dumps(value)
    for table, written in tables.items():
        connection.execute(_url.upsert(engine, table, (id_column, "key"), ("value_json",)),
                           [{id_column: owner_id, "key": key, "value_json": text}
                            for key, text in written.items()])


def stored_attrs(rows) -> tuple[dict, dict]:
    """(user attrs, system attrs) that (table, key, value) rows of one trial read back as
    once :func:`upsert_rows` wrote them (JSON turns a tuple into a list, say)."""
    found: dict = {_TRIAL_USER: {}, _TRIAL_SYSTEM: {}}
    for table, key, value in rows:
        found[table][key] = decode_json(json.dumps(value))
    return found[_TRIAL_USER], found[_TRIAL_SYSTEM]


_COUNT_COMPLETE = sa.select(sa.func.count()).select_from(_TRIALS).where(
    _TRIALS.c.study_id == sa.bindparam("study_id"),
    sa.cast(_TRIALS.c.state, sa.String) == "COMPLETE")  # an enum type in PostgreSQL


def count_complete(engine, study_id: int) -> int:
    """COMPLETE trials of the study, counted by the database (one cheap query, which a
    search runs at every tell: built once)."""
    with engine.connect() as connection:
        return int(connection.execute(_COUNT_COMPLETE, {"study_id": study_id}).scalar_one())


def trial_counts(connection, study_name: str) -> tuple:
    """(trials, finished trials, last finish time) of a study, in one aggregate query over
    Optuna's ``trials`` table (indexed by study)."""
    query = (sa.select(sa.func.count(_TRIALS.c.trial_id),
                       sa.func.count(_TRIALS.c.datetime_complete),
                       sa.func.max(_TRIALS.c.datetime_complete))
             .select_from(_TRIALS.join(_STUDIES, _TRIALS.c.study_id == _STUDIES.c.study_id))
             .where(_STUDIES.c.study_name == study_name))
    return tuple(connection.execute(query).one())


def trial_attr_values(connection, key: str) -> list:
    """The distinct values of trial user attr ``key`` over every study, inside the caller's
    transaction; [] when Optuna's tables do not exist yet."""
    if not sa.inspect(connection).has_table("trial_user_attributes"):
        return []
    query = sa.select(_TRIAL_USER.c.value_json).where(_TRIAL_USER.c.key == key).distinct()
    return [decode_json(v) for v in connection.execute(query).scalars()]


def rename_attr_values(connection, key: str, renamed: dict) -> None:
    """Replace the value ``old`` of trial user attr ``key`` by ``renamed[old]`` in every
    trial, inside the caller's transaction; nothing when Optuna's tables do not exist yet."""
    if not renamed or not sa.inspect(connection).has_table("trial_user_attributes"):
        return
    for old, new in renamed.items():
        connection.execute(
            _TRIAL_USER.update()
            .where(_TRIAL_USER.c.key == key, _TRIAL_USER.c.value_json == json.dumps(old))
            .values(value_json=json.dumps(new)))


def read_study(connection, study_name: str) -> StudyRecord | None:
    """The study of that name, or None (also when Optuna's tables do not exist yet)."""
    if not sa.inspect(connection).has_table("studies"):
        return None
    study_id = connection.execute(sa.select(_STUDIES.c.study_id).where(
        _STUDIES.c.study_name == study_name)).scalar()
    if study_id is None:
        return None
    directions = connection.execute(
        sa.select(sa.cast(_DIRECTIONS.c.direction, sa.String))
        .where(_DIRECTIONS.c.study_id == study_id).order_by(_DIRECTIONS.c.objective)).scalars()
    user = _attrs(connection, _STUDY_USER, _STUDY_USER.c.study_id == study_id)
    system = _attrs(connection, _STUDY_SYSTEM, (_STUDY_SYSTEM.c.study_id == study_id)
                    & (_STUDY_SYSTEM.c.key == _METRIC_NAMES_KEY))
    return StudyRecord(study_id, study_name, list(directions), user,
                       system.get(_METRIC_NAMES_KEY))


def study_names(connection) -> list[str]:
    """Every study's name, sorted ([] when Optuna's tables do not exist yet)."""
    if not sa.inspect(connection).has_table("studies"):
        return []
    return sorted(connection.execute(sa.select(_STUDIES.c.study_name)).scalars())


def read_trials(connection, study_id: int) -> list[TrialRecord]:
    """Every trial of the study, in number order, in four SELECTs (one per table)."""
    mine = sa.select(_TRIALS.c.trial_id).where(_TRIALS.c.study_id == study_id)
    values: dict[int, list] = {}
    for owner, value, kind in connection.execute(
            sa.select(_VALUES.c.trial_id, _VALUES.c.value, sa.cast(_VALUES.c.value_type,
                                                                   sa.String))
            .where(_VALUES.c.trial_id.in_(mine))
            .order_by(_VALUES.c.trial_id, _VALUES.c.objective)).all():
        values.setdefault(owner, []).append(_STORED_VALUE.get(kind, value))
    user: dict[int, dict] = {}
    for owner, key, value in connection.execute(
            sa.select(_TRIAL_USER.c.trial_id, _TRIAL_USER.c.key, _TRIAL_USER.c.value_json)
            .where(_TRIAL_USER.c.trial_id.in_(mine), _TRIAL_USER.c.key.in_(READ_TRIAL_ATTRS))
    ).all():
        user.setdefault(owner, {})[key] = decode_json(value)
    constraints: dict[int, dict] = {}
    for owner, key, value in connection.execute(
            sa.select(_TRIAL_SYSTEM.c.trial_id, _TRIAL_SYSTEM.c.key, _TRIAL_SYSTEM.c.value_json)
            .where(_TRIAL_SYSTEM.c.trial_id.in_(mine),
                   _TRIAL_SYSTEM.c.key.startswith(_OLD_CONSTRAINTS_KEY, autoescape=True))
            .order_by(_TRIAL_SYSTEM.c.trial_id, _TRIAL_SYSTEM_ID)).all():
        _add_constraint(constraints.setdefault(owner, {}), key, decode_json(value))
    trials = connection.execute(
        sa.select(_TRIALS.c.trial_id, _TRIALS.c.number, sa.cast(_TRIALS.c.state, sa.String))
        .where(_TRIALS.c.study_id == study_id).order_by(_TRIALS.c.number)).all()
    return [TrialRecord(number, state, values.get(owner), user.get(owner, {}),
                        constraints.get(owner, {}))
            for owner, number, state in trials]


def _add_constraint(found: dict, key: str, value) -> None:
    """Optuna's reading of constraint system attrs: the old list under ``constraints`` as
    "0", "1", ... first, then each ``constraints:NAME``."""
    if key == _OLD_CONSTRAINTS_KEY:
        merged = {**{str(i): v for i, v in enumerate(value)}, **found}
        found.clear()
        found.update(merged)
    elif key.startswith(_CONSTRAINT_PREFIX):
        found[key[len(_CONSTRAINT_PREFIX):]] = value


def decode_json(text: str):
    """``json.loads`` of a stored value, with a shortcut for the common case: the arch_ids,
    score keys and space names autost stores are plain strings, and a JSON string without a
    backslash is its own text between the quotes (10,000 trials hold some 40,000 of them)."""
    if len(text) > 1 and text[0] == '"' and text[-1] == '"' and "\\" not in text:
        return text[1:-1]
    return json.loads(text)


def _attrs(connection, table, where) -> dict:
    query = sa.select(table.c.key, table.c.value_json).where(where)
    return {key: decode_json(value) for key, value in connection.execute(query)}
