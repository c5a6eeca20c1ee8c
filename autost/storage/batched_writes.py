"""A search's trial written in one or two transactions after the ask's own, the ask's and
the tell's in Core; its running trial read back from what it wrote.

Optuna's RDBStorage commits each parameter a trial suggests in a transaction of its own
(about ten for a stmixer candidate, 28 for mixed), autost wrote the trial's user attrs and
constraints in one more just before telling it, and Optuna's ORM spends more time building
a trial's statements than the database spends running them: on SQLite, Optuna's writes were
the second largest part of a cost-only search's time per trial
(``benchmarks/search_overhead.py``, part f). :class:`BatchedWritesRDBStorage` writes exactly
the same rows:

- a new trial (the ask) in one INSERT that numbers it, after the study's row is locked as
  Optuna locks it;
- the parameters a space suggests for a trial are held
  (:meth:`~BatchedWritesRDBStorage.hold_params`) and written in one multi-row INSERT, with
  the trial's first heartbeat: by :meth:`~BatchedWritesRDBStorage.write_held_params` when
  the search starts scoring the candidate (a process killed while scoring leaves the trial
  with all its parameters, so the heartbeat's retry copies them as it would have), or else
  in the transaction that finishes the trial;
- the trial's user attrs and constraints (:meth:`~BatchedWritesRDBStorage.hold_attrs`), its
  values and its state in one transaction, so no reader sees a finished trial without its
  arch_id.

While held, the rows are in no database: another process reading the running trial sees it
without them (samplers read finished trials only).

It also answers ``get_trial`` for the trials it created and runs, or has just finished,
from what it wrote (:meth:`~BatchedWritesRDBStorage.get_trial`): Optuna reads a trial as it
is asked and twice as it is told, and only the process that runs a trial writes to it. A
read of the study that finds such a trial takes only its row in ``trials``. Every other read
stays :class:`~autost.storage.frozen_trials.BulkReadRDBStorage`'s.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from optuna.distributions import (
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from optuna.storages._rdb import models
from optuna.storages._rdb.models import NOT_FOUND_MSG
from optuna.trial import FrozenTrial, TrialState

from autost.storage._url import upsert
from autost.storage.frozen_trials import BulkReadRDBStorage, copy_trial, local_time
from autost.storage.optuna_tables import attr_rows, stored_attrs, upsert_rows

_TRIALS = models.TrialModel.__table__  # typed: the state enum, the UTC datetimes
_STUDIES = models.StudyModel.__table__
_PARAMS = models.TrialParamModel.__table__
_VALUES = models.TrialValueModel.__table__
_HEARTBEATS = models.TrialHeartbeatModel.__table__
_UNFINISHED = [TrialState.RUNNING, TrialState.WAITING]
# The statements of every trial, built once (building one took longer than running it)
_LOCK_STUDY = sa.select(_STUDIES.c.study_id).where(
    _STUDIES.c.study_id == sa.bindparam("study_id")).with_for_update()
_CREATE = sa.insert(_TRIALS).values(
    study_id=sa.bindparam("study_id"), state=TrialState.RUNNING,
    datetime_start=sa.bindparam("started", type_=_TRIALS.c.datetime_start.type),
    number=sa.select(sa.func.count()).select_from(_TRIALS).where(
        _TRIALS.c.study_id == sa.bindparam("study_id")).scalar_subquery(),
).returning(_TRIALS.c.trial_id, _TRIALS.c.number)
_FINISH = _TRIALS.update().where(
    _TRIALS.c.trial_id == sa.bindparam("finished_id"), _TRIALS.c.state.in_(_UNFINISHED),
).values(state=sa.bindparam("new_state", type_=_TRIALS.c.state.type),
         datetime_complete=sa.bindparam("finished", type_=_TRIALS.c.datetime_complete.type),
         ).returning(_TRIALS.c.trial_id)
_STATE = sa.select(_TRIALS.c.state).where(_TRIALS.c.trial_id == sa.bindparam("trial_id"))
_NOW = sa.func.current_timestamp()  # a heartbeat's time, as Optuna's record_heartbeat sets it


class BatchedWritesRDBStorage(BulkReadRDBStorage):
    """BulkReadRDBStorage that creates and finishes a trial in Core statements and writes its
    parameters, and its attrs with its state, in one transaction each (see the module)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_params: dict[int, list[tuple]] = {}
        self._held_attrs: dict[int, list[tuple]] = {}
        self._running: dict[int, FrozenTrial] = {}  # created here, as written so far
        self._finished: dict[int, FrozenTrial] = {}  # finished here, until a read has them

    def _create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None
                          ) -> FrozenTrial:
        """A new RUNNING trial, numbered as Optuna numbers it (the study's trials before it),
        in one INSERT once the study's row is locked (PostgreSQL; SQLite runs one writer).
        A trial copied from a template (a retry, an enqueued trial) is Optuna's to write."""
        if template_trial is not None:
            return super()._create_new_trial(study_id, template_trial)
        started = _stored_now()
        with self.engine.begin() as connection:
            if connection.execute(_LOCK_STUDY, {"study_id": study_id}).first() is None:
                raise KeyError(NOT_FOUND_MSG)
            trial_id, number = connection.execute(
                _CREATE, {"study_id": study_id, "started": started}).one()
        created = FrozenTrial(number=number, state=TrialState.RUNNING, value=None,
                              values=None, datetime_start=local_time(started),
                              datetime_complete=None, params={}, distributions={},
                              user_attrs={}, system_attrs={}, intermediate_values={},
                              trial_id=trial_id)
        self._running[trial_id] = copy_trial(created)
        return created

    def _known_trials(self) -> dict[int, FrozenTrial]:
        return {**self._finished, **self._running}

    def _get_trials(self, *args, **kwargs) -> list[FrozenTrial]:
        found = super()._get_trials(*args, **kwargs)
        for trial in found:  # Optuna's caching layer keeps the finished ones from now on
            self._finished.pop(trial._trial_id, None)
        return found

    def get_trial(self, trial_id: int) -> FrozenTrial:
        """A trial this storage created and runs, or has just finished, as it wrote it (a
        copy: Optuna's Trial changes the one it holds); any other trial, or one written to by
        another path, read.

        The one writer of a running trial but this process is another one that finds its
        heartbeat stale and fails it; then this copy still says RUNNING, and the tell is
        refused by the state check in the database, as Optuna's own check would refuse it."""
        known = self._running.get(trial_id) or self._finished.get(trial_id)
        if known is None:
            return super().get_trial(trial_id)
        return copy_trial(known)

    def hold_params(self, trial_id: int) -> None:
        """Hold the parameters trial ``trial_id`` suggests from now on, with its first
        heartbeat where the storage has heartbeats (the search's heartbeat thread beats from
        then on), until :meth:`write_held_params` or the tell writes them."""
        self._held_params[trial_id] = []

    def write_held_params(self, trial_id: int) -> None:
        """Write the parameters held for trial ``trial_id``, if any, in one transaction."""
        held = self._held_params.pop(trial_id, None)
        if held is None:
            return
        running = self._running.pop(trial_id, None)  # back once the rows are written
        with self.engine.begin() as connection:
            self._check_updatable(connection, trial_id)
            self._write_params(connection, trial_id, held)
        if running is not None:
            self._running[trial_id] = _with_params(running, held)

    def _write_params(self, connection, trial_id: int, held: list[tuple]) -> None:
        """Insert held (name, internal value, distribution, previous distribution) parameters
        of one running trial in one multi-row INSERT, each checked as Optuna checks it: the
        distribution compatible with the study's earlier one of that name (Optuna's caching
        layer passes it after a parameter's first trial; before, it is read from the study's
        rows as Optuna reads it); and its first heartbeat."""
        rows = []
        for name, value, distribution, previous in held:
            previous = previous or self._earlier_distribution(connection, trial_id, name)
            if previous is not None:
                check_distribution_compatibility(previous, distribution)
            rows.append({"trial_id": trial_id, "param_name": name, "param_value": value,
                         "distribution_json": distribution_to_json(distribution)})
        if rows:
            connection.execute(sa.insert(_PARAMS), rows)
        if self.heartbeat_interval is not None:  # a beat now, as record_heartbeat stores it
            connection.execute(upsert(self.engine, _HEARTBEATS, ("trial_id",), ("heartbeat",),
                                      heartbeat=_NOW), {"trial_id": trial_id})

    @staticmethod
    def _earlier_distribution(connection, trial_id: int, name: str):
        """The distribution of parameter ``name`` in some trial of the study of trial
        ``trial_id``, if any."""
        study = sa.select(_TRIALS.c.study_id).where(_TRIALS.c.trial_id == trial_id)
        found = connection.execute(
            sa.select(_PARAMS.c.distribution_json)
            .join(_TRIALS, _TRIALS.c.trial_id == _PARAMS.c.trial_id)
            .where(_TRIALS.c.study_id == study.scalar_subquery(),
                   _PARAMS.c.param_name == name)
            .limit(1)).scalar()
        return json_to_distribution(found) if found is not None else None

    def _check_updatable(self, connection, trial_id: int) -> None:
        """Refuse, as Optuna refuses, a trial that does not exist or has finished."""
        state = connection.execute(_STATE, {"trial_id": trial_id}).scalar()
        if state is None:
            raise KeyError(NOT_FOUND_MSG)
        self.check_trial_is_updatable(trial_id, state)

    def _set_trial_param(self, trial_id, param_name, param_value_internal, distribution,
                         previous_distribution) -> None:
        held = self._held_params.get(trial_id)
        if held is None:
            self._running.pop(trial_id, None)
            super()._set_trial_param(trial_id, param_name, param_value_internal, distribution,
                                     previous_distribution)
        else:
            held.append((param_name, param_value_internal, distribution,
                         previous_distribution))

    def hold_attrs(self, trial_id: int, user: dict, constraints: dict[str, float]) -> None:
        """Write these user attrs and constraint values of trial ``trial_id`` (a key present
        is overwritten) in the transaction that finishes it."""
        self._held_attrs.setdefault(trial_id, []).extend(attr_rows(user, constraints))

    def drop_held(self, trial_id: int) -> None:
        """Forget the parameters and attrs held for a trial whose tell was refused."""
        self._held_params.pop(trial_id, None)
        self._held_attrs.pop(trial_id, None)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._running.pop(trial_id, None)
        super().set_trial_user_attr(trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._running.pop(trial_id, None)
        super().set_trial_system_attr(trial_id, key, value)

    def set_trial_intermediate_value(self, trial_id: int, step: int,
                                     intermediate_value: float) -> None:
        self._running.pop(trial_id, None)
        super().set_trial_intermediate_value(trial_id, step, intermediate_value)

    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Sequence[float] | None = None) -> bool:
        """Finish a trial in one transaction: its held parameters (with its first beat),
        held attrs, values and state, refused as Optuna refuses (KeyError, a trial finished
        already) before anything is written. Other changes of state are Optuna's."""
        running = self._running.pop(trial_id, None)
        if not state.is_finished():
            return super().set_trial_state_values(trial_id, state, values)
        params = self._held_params.pop(trial_id, None)
        rows = self._held_attrs.pop(trial_id, None) or []
        finished = _stored_now()
        with self.engine.begin() as connection:
            told = connection.execute(_FINISH, {"finished_id": trial_id, "new_state": state,
                                                "finished": finished}).first()
            if told is None:
                self._check_updatable(connection, trial_id)
            if params is not None:
                self._write_params(connection, trial_id, params)
            if values is not None:
                self._write_values(connection, trial_id, values)
            if rows:
                upsert_rows(connection, self.engine, "trial_id", trial_id, rows)
        if running is not None:
            if params:
                running = _with_params(running, params)
            self._finished[trial_id] = _as_finished(running, state, values, rows, finished)
        return True

    def _write_values(self, connection, trial_id: int, values: Sequence[float]) -> None:
        """The trial's objective values as Optuna stores them (an infinity by its type)."""
        rows = []
        for objective, value in enumerate(values):
            stored, kind = models.TrialValueModel.value_to_stored_repr(value)
            rows.append({"trial_id": trial_id, "objective": objective, "value": stored,
                         "value_type": kind})
        connection.execute(upsert(self.engine, _VALUES, ("trial_id", "objective"),
                                  ("value", "value_type")), rows)


def _stored_now() -> datetime.datetime:
    """Now as Optuna stores a trial's datetimes: naive UTC."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _with_params(running: FrozenTrial, held: list[tuple]) -> FrozenTrial:
    """``running`` with the held parameters it now has in the database."""
    running.distributions = {**running.distributions,
                             **{name: distribution for name, _, distribution, _ in held}}
    running.params = {**running.params, **{name: distribution.to_external_repr(value)
                                            for name, value, distribution, _ in held}}
    return running


def _as_finished(running: FrozenTrial, state: TrialState, values: Sequence[float] | None,
                 rows: list[tuple], finished: datetime.datetime) -> FrozenTrial:
    """``running`` as the database now holds it: state, values, attrs, finish time."""
    user, system = stored_attrs(rows)
    running.state = state
    running.values = None if values is None else [float(v) for v in values]
    running.datetime_complete = local_time(finished)
    running.user_attrs = {**running.user_attrs, **user}
    running.system_attrs = {**running.system_attrs, **system}
    return running
