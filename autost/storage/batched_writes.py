"""A search's writes of one trial gathered into two transactions after the ask's own; its
running trial read back from what it wrote.

Optuna's RDBStorage commits each parameter a trial suggests in a transaction of its own
(about ten for a stmixer candidate, 28 for mixed), and autost wrote the trial's user attrs
and constraints in one more just before telling it: on SQLite, Optuna's writes were the
second largest part of a cost-only search's time per trial (``benchmarks/search_overhead.py``,
part f). :class:`BatchedWritesRDBStorage` writes exactly the same rows, held and then
written together:

- the parameters a space suggests for a trial, in one transaction when ``suggest`` returns
  (:meth:`~BatchedWritesRDBStorage.params_held`), before the candidate is scored: a process
  killed while scoring leaves the trial with all its parameters, so the heartbeat's retry
  copies them as it would have;
- the trial's user attrs and constraints, in the transaction that sets its state and values
  (:meth:`~BatchedWritesRDBStorage.hold_attrs`), so no reader sees a finished trial without
  its arch_id.

While held, the rows are in no database: another process reading the running trial sees it
without them (samplers read finished trials only).

It also answers ``get_trial`` for the trials it created and runs, or has just finished,
from what it wrote (:meth:`~BatchedWritesRDBStorage.get_trial`): Optuna reads a trial as it
is asked and twice as it is told, and only the process that runs a trial writes to it; the
finish time, set by Optuna as it writes the state, is the one column read back. A read of
the study that finds such a trial takes only its row in ``trials``. Every other read stays
:class:`~autost.storage.frozen_trials.BulkReadRDBStorage`'s.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from optuna.distributions import (
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from optuna.storages._rdb import models
from optuna.trial import FrozenTrial, TrialState

from autost.storage._url import dialect_insert
from autost.storage.frozen_trials import BulkReadRDBStorage, finish_time
from autost.storage.optuna_tables import attr_rows, stored_attrs, upsert_rows


class BatchedWritesRDBStorage(BulkReadRDBStorage):
    """BulkReadRDBStorage that writes a trial's parameters, and its attrs with its state, in
    one transaction each (see the module)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_params: dict[int, list[tuple]] = {}
        self._held_attrs: dict[int, list[tuple]] = {}
        self._running: dict[int, FrozenTrial] = {}  # created here, as written so far
        self._finished: dict[int, FrozenTrial] = {}  # finished here, until a read has them

    def _create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None
                          ) -> FrozenTrial:
        created = super()._create_new_trial(study_id, template_trial)
        if created.state == TrialState.RUNNING:
            self._running[created._trial_id] = copy.deepcopy(created)
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
        return copy.deepcopy(known)

    @contextmanager
    def params_held(self, trial_id: int) -> Iterator[None]:
        """Hold the parameters trial ``trial_id`` suggests inside the block; write them in one
        transaction when it ends, also when it raises (Optuna would have written each), with
        the trial's first heartbeat where the storage has heartbeats (one transaction fewer
        than a beat of its own; the search's heartbeat thread beats from then on)."""
        self._held_params[trial_id] = []
        try:
            yield
        finally:
            self.write_params(trial_id, self._held_params.pop(trial_id))

    def write_params(self, trial_id: int, held: list[tuple]) -> None:
        """Write held (name, internal value, distribution, previous distribution) parameters
        of one trial in one transaction and one multi-row INSERT, each checked as Optuna
        checks it: the trial still running, the distribution compatible with the study's
        earlier one of that name (Optuna's caching layer passes it after a parameter's first
        trial; before, it is read from the study's rows as Optuna reads it)."""
        beat = self.heartbeat_interval is not None
        if not held and not beat:
            return
        running = self._running.pop(trial_id, None)  # back once the rows are written
        with self._transaction() as session:
            trial = models.TrialModel.find_or_raise_by_id(trial_id, session)
            self.check_trial_is_updatable(trial_id, trial.state)
            rows = []
            for name, value, distribution, previous in held:
                previous = previous or self._earlier_distribution(session, trial.study_id, name)
                if previous is not None:
                    check_distribution_compatibility(previous, distribution)
                rows.append({"trial_id": trial_id, "param_name": name, "param_value": value,
                             "distribution_json": distribution_to_json(distribution)})
            if rows:
                session.execute(sa.insert(models.TrialParamModel.__table__), rows)
            if beat:
                session.execute(self._beat(trial_id))
        if running is not None:
            for name, value, distribution, _ in held:
                running.distributions = {**running.distributions, name: distribution}
                running.params = {**running.params,
                                  name: distribution.to_external_repr(value)}
            self._running[trial_id] = running

    def _beat(self, trial_id: int):
        """The statement of a heartbeat now, as Optuna's record_heartbeat stores it."""
        table = models.TrialHeartbeatModel.__table__
        stmt = dialect_insert(self.engine)(table).values(trial_id=trial_id,
                                                         heartbeat=sa.func.current_timestamp())
        return stmt.on_conflict_do_update(index_elements=["trial_id"],
                                          set_={"heartbeat": stmt.excluded.heartbeat})

    @staticmethod
    def _earlier_distribution(session, study_id: int, name: str):
        """The distribution of parameter ``name`` in some trial of the study, if any."""
        params, trials = models.TrialParamModel.__table__, models.TrialModel.__table__
        found = session.execute(
            sa.select(params.c.distribution_json)
            .join(trials, trials.c.trial_id == params.c.trial_id)
            .where(trials.c.study_id == study_id, params.c.param_name == name)
            .limit(1)).scalar()
        return json_to_distribution(found) if found is not None else None

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
        """Forget the attrs held for a trial whose tell was refused."""
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
        running = self._running.pop(trial_id, None)
        rows = self._held_attrs.pop(trial_id, None) if state.is_finished() else None
        if not rows:
            return super().set_trial_state_values(trial_id, state, values)
        with self._transaction() as session:
            # Checked before anything is written: Optuna's refusal reads the trial in the
            # same scoped session and commits it, which would commit the attrs.
            trial = models.TrialModel.find_or_raise_by_id(trial_id, session, for_update=True)
            self.check_trial_is_updatable(trial_id, trial.state)
            upsert_rows(session, self.engine, "trial_id", trial_id, rows)
            # Optuna's update runs in the same scoped session and commits both.
            if not super().set_trial_state_values(trial_id, state, values):
                return False
        if running is not None:
            self._finished[trial_id] = self._as_finished(running, state, values, rows)
        return True

    def _as_finished(self, running: FrozenTrial, state: TrialState,
                     values: Sequence[float] | None, rows: list[tuple]) -> FrozenTrial:
        """``running`` as the database now holds it: state, values, attrs, and the finish
        time Optuna stored, the one column read back."""
        with self.engine.connect() as connection:
            running.datetime_complete = finish_time(connection, running._trial_id)
        user, system = stored_attrs(rows)
        running.state = state
        running.values = None if values is None else [float(v) for v in values]
        running.user_attrs = {**running.user_attrs, **user}
        running.system_attrs = {**running.system_attrs, **system}
        return running

    @contextmanager
    def _transaction(self):
        """Optuna's scoped session, committed at the end of the block, rolled back on any
        exception (Optuna's own helper leaves the session dirty on errors that are not
        SQLAlchemy's, and the next write would commit the rows of this one). Optuna's
        methods called inside share the session, and each commits it when it returns."""
        session = self.scoped_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
