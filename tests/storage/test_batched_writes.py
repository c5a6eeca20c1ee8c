"""A search's trial, created and finished in Core and its parameters written in one
transaction, holds exactly the rows Optuna writes in many."""

import math

import optuna
import pytest
import sqlalchemy as sa

from autost.storage import open_storage
from autost.storage import optuna_tables as ot
from autost.storage.batched_writes import BatchedWritesRDBStorage

States = optuna.trial.TrialState


def _suggest(trial) -> None:
    trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    trial.suggest_int("depth", 1, 8)
    trial.suggest_categorical("mixer", ["ssa", "stm", None])
    trial.suggest_float("ratio", 1.0, 4.0, step=0.5)


@pytest.fixture
def storage(url):
    opened = open_storage(url)
    yield opened
    opened.close()


def test_held_parameters_and_attrs_are_optunas_rows(storage):
    """The same trials, written Optuna's way and autost's, read back equal."""
    rdb = storage.optuna_storage()
    assert isinstance(rdb, BatchedWritesRDBStorage)
    plain = optuna.create_study(study_name="plain", storage=rdb,
                                sampler=optuna.samplers.RandomSampler(3))
    batched = optuna.create_study(study_name="batched", storage=rdb,
                                  sampler=optuna.samplers.RandomSampler(3))
    for state in (States.COMPLETE, States.PRUNED, States.FAIL):
        trial = plain.ask()
        _suggest(trial)
        trial.set_user_attr(ot.ARCH_ID_ATTR, "a1")
        trial.set_constraint("max_params", -0.5)
        plain.tell(trial, 2.0 if state == States.COMPLETE else None, state=state)

        trial = batched.ask()
        rdb.hold_params(ot.trial_id(trial))
        _suggest(trial)
        if state != States.FAIL:  # a failed one's are written with its state
            rdb.write_held_params(ot.trial_id(trial))
        rdb.hold_attrs(ot.trial_id(trial), {ot.ARCH_ID_ATTR: "a1"}, {"max_params": -0.5})
        batched.tell(trial, 2.0 if state == States.COMPLETE else None, state=state)
    expected = optuna.load_study(study_name="plain", storage=storage.url).trials
    found = optuna.load_study(study_name="batched", storage=storage.url).trials
    for e, f in zip(expected, found, strict=True):
        assert (f.number, f.params, f.distributions, f.user_attrs, f.constraints, f.values,
                f.state) == (e.number, e.params, e.distributions, e.user_attrs, e.constraints,
                             e.values, e.state)
        assert f.datetime_start <= f.datetime_complete
    with rdb.engine.connect() as connection:  # the stored types: enums, UTC datetimes
        rows = {n: connection.execute(sa.text(
            "SELECT t.state, v.value_type, t.datetime_start IS NOT NULL, "
            "t.datetime_complete IS NOT NULL FROM trials t JOIN studies s USING (study_id) "
            "LEFT JOIN trial_values v USING (trial_id) WHERE s.study_name = :n "
            "ORDER BY t.number"), {"n": n}).all() for n in ("plain", "batched")}
    assert rows["batched"] == rows["plain"]


class WriteTransactions:
    """Counts the committed transactions of an engine that wrote something (Optuna commits
    its reads too)."""

    def __init__(self, engine) -> None:
        self.count, self._wrote = 0, False
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement: str, *_) -> None:
        self._wrote |= statement.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")

    def _commit(self, _conn) -> None:
        self.count += self._wrote
        self._wrote = False


def test_a_trial_takes_three_write_transactions_not_one_per_parameter(storage):
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="c", storage=rdb)
    writes = WriteTransactions(rdb.engine)
    trial = study.ask()
    assert writes.count == 1
    rdb.hold_params(ot.trial_id(trial))
    _suggest(trial)
    assert writes.count == 1  # nothing written while the space suggests
    rdb.write_held_params(ot.trial_id(trial))
    assert writes.count == 2  # the four parameters
    rdb.hold_attrs(ot.trial_id(trial), {"a": 1, "b": 2}, {"max_macs": 0.0})
    rdb.hold_attrs(ot.trial_id(trial), {"b": 3}, {})
    study.tell(trial, 1.0)
    assert writes.count == 3  # the attrs with the state and the value
    read = optuna.load_study(study_name="c", storage=storage.url).trials[0]
    assert read.user_attrs == {"a": 1, "b": 3}
    assert read.constraints == {"max_macs": 0.0}
    assert set(read.params) == {"lr", "depth", "mixer", "ratio"}
    assert ot.trial_id(trial) == rdb.get_trial_id_from_study_id_trial_number(
        rdb.get_study_id_from_name("c"), 0)

    plain = study.ask()
    _suggest(plain)
    assert writes.count == 3 + 1 + 4  # Optuna alone: a transaction per parameter

    cached = study.ask()  # a candidate scored already: its parameters go with its state
    rdb.hold_params(ot.trial_id(cached))
    _suggest(cached)
    rdb.hold_attrs(ot.trial_id(cached), {"a": 1}, {})
    study.tell(cached, 2.0)
    assert writes.count == 8 + 2
    read = optuna.load_study(study_name="c", storage=storage.url).trials[2]
    assert (read.number, read.user_attrs, read.values) == (2, {"a": 1}, [2.0])
    assert read.params == cached.params and len(read.params) == 4


def test_attrs_are_written_only_with_the_state(storage):
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="s", storage=rdb)
    trial = study.ask()
    rdb.hold_attrs(ot.trial_id(trial), {ot.ARCH_ID_ATTR: "a1"}, {})
    assert optuna.load_study(study_name="s", storage=storage.url).trials[0].user_attrs == {}
    study.tell(trial, 1.0)
    assert optuna.load_study(study_name="s", storage=storage.url).trials[0].user_attrs == {
        ot.ARCH_ID_ATTR: "a1"}


def test_parameters_suggested_before_an_error_are_written(storage):
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="e", storage=rdb)
    trial = study.ask()
    rdb.hold_params(ot.trial_id(trial))
    trial.suggest_int("depth", 1, 8)  # and then the space could not build it
    study.tell(trial, state=States.FAIL)
    assert list(optuna.load_study(study_name="e", storage=storage.url).trials[0].params) == [
        "depth"]


def test_a_refused_write_leaves_nothing_for_the_next_one(storage):
    """An incompatible parameter refuses the whole held set; a finished trial refuses its
    held attrs; neither is committed by the next write."""
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="r", storage=rdb)
    first = study.ask()
    first.suggest_int("depth", 1, 8)
    study.tell(first, 1.0)
    second = study.ask()
    rdb.hold_params(ot.trial_id(second))
    second.suggest_float("lr", 0.1, 0.2)
    second.suggest_categorical("depth", ["a", "b"])
    with pytest.raises(ValueError, match="Cannot set different distribution kind"):
        rdb.write_held_params(ot.trial_id(second))
    rdb.hold_attrs(ot.trial_id(first), {"late": True}, {})
    with pytest.raises(optuna.exceptions.UpdateFinishedTrialError):
        rdb.set_trial_state_values(ot.trial_id(first), States.COMPLETE, [2.0])
    study.tell(second, 3.0)
    trials = optuna.load_study(study_name="r", storage=storage.url).trials
    assert [t.params for t in trials] == [{"depth": first.params["depth"]}, {}]
    assert [t.user_attrs for t in trials] == [{}, {}]
    assert [t.values for t in trials] == [[1.0], [3.0]]


def test_a_new_process_checks_against_the_studys_stored_distribution(storage):
    """Optuna's caching layer knows no distribution yet: it is read from the study's rows."""
    study = optuna.create_study(study_name="n", storage=storage.optuna_storage())
    first = study.ask()
    first.suggest_int("depth", 1, 8)
    study.tell(first, 1.0)
    other = open_storage(storage.url)
    try:
        rdb = other.optuna_storage()
        again = optuna.load_study(study_name="n", storage=rdb)
        trial = again.ask()
        rdb.hold_params(ot.trial_id(trial))
        trial.suggest_float("depth", 0.5, 1.5)
        with pytest.raises(ValueError, match="Cannot set different distribution kind"):
            rdb.write_held_params(ot.trial_id(trial))
    finally:
        other.close()
    trials = optuna.load_study(study_name="n", storage=storage.url).trials
    assert [t.params for t in trials] == [first.params, {}]


class Reads:
    """Counts the SELECTs an engine runs."""

    def __init__(self, engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn, _cursor, statement: str, *_) -> None:
        self.count += statement.lstrip().upper().startswith("SELECT")


def test_its_running_trial_is_read_from_what_it_wrote(storage):
    """get_trial of a trial this storage runs equals a read of the database after every
    write, without reading it; written to any other way, or finished, it is read."""
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="m", storage=rdb,
                                sampler=optuna.samplers.RandomSampler(1))
    plain = optuna.storages.RDBStorage(storage.url)
    first = study.ask()
    first.suggest_int("depth", 1, 8)
    study.tell(first, 1.0)
    reads = Reads(rdb.engine)
    trial = study.ask()
    tid = ot.trial_id(trial)

    def same_as_read() -> None:
        before = reads.count
        assert rdb.get_trial(tid) == plain.get_trial(tid)
        assert reads.count == before

    same_as_read()
    rdb.hold_params(tid)
    _suggest(trial)
    rdb.write_held_params(tid)
    same_as_read()
    study_id, after_first = rdb.get_study_id_from_name("m"), ot.trial_id(first)
    before = reads.count
    assert rdb._get_trials(study_id, None, set(), after_first) == [plain.get_trial(tid)]
    assert reads.count == before + 1  # its row in trials, nothing else
    assert rdb._get_trials(study_id, None, set(), -1) == plain._get_trials(
        study_id, None, set(), -1)
    rdb.get_trial(tid).params["depth"] = -1  # a caller's copy, as Optuna's Trial changes it
    same_as_read()
    rdb.hold_attrs(tid, {"a": 1}, {})
    same_as_read()  # held attrs are in no database yet
    trial.set_user_attr("b", 2)
    before = reads.count
    assert rdb.get_trial(tid) == plain.get_trial(tid) and reads.count > before
    study.tell(trial, 2.0)
    assert rdb.get_trial(tid) == plain.get_trial(tid)
    assert rdb.get_trial(tid).state == States.COMPLETE


@pytest.mark.parametrize("state", [States.COMPLETE, States.PRUNED, States.FAIL])
def test_a_trial_it_finished_is_read_from_what_it_wrote(storage, state):
    """Told with held parameters and attrs, the trial is what a read of the database gives,
    having read nothing back; the next read of the study takes only its row in trials."""
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="t", storage=rdb, directions=["maximize"] * 2,
                                sampler=optuna.samplers.RandomSampler(2))
    plain = optuna.storages.RDBStorage(storage.url)
    reads = Reads(rdb.engine)
    trial = study.ask()
    tid = ot.trial_id(trial)
    rdb.hold_params(tid)
    _suggest(trial)  # written with the state
    rdb.hold_attrs(tid, {ot.ARCH_ID_ATTR: "a1", "shape": (1, 2)}, {"max_params": -0.5})
    study.tell(trial, [math.inf, 0.25] if state == States.COMPLETE else None, state=state)
    study_id = rdb.get_study_id_from_name("t")
    before = reads.count
    assert rdb.get_trial(tid) == plain.get_trial(tid)
    assert reads.count == before
    assert rdb.get_trial(tid).user_attrs["shape"] == [1, 2]
    assert rdb._get_trials(study_id, None, set(), -1) == [plain.get_trial(tid)]
    assert reads.count == before + 1
    assert rdb._get_trials(study_id, None, set(), -1) == [plain.get_trial(tid)]
    assert reads.count > before + 2  # read whole once a read has had it


def test_a_trial_another_process_failed_is_refused_at_the_tell(storage):
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name="f", storage=rdb)
    trial = study.ask()
    optuna.storages.RDBStorage(storage.url).set_trial_state_values(ot.trial_id(trial),
                                                                   States.FAIL)
    with pytest.raises(optuna.exceptions.UpdateFinishedTrialError):
        study.tell(trial, 1.0)
    assert optuna.load_study(study_name="f", storage=storage.url).trials[0].state == \
        States.FAIL


def test_the_first_heartbeat_goes_with_the_parameters(storage):
    """Where the storage beats, the parameters' transaction writes the trial's first beat,
    which Optuna's stale check reads as its own."""
    import time

    rdb = storage.optuna_storage(heartbeat_interval=60, grace_period=1)
    study = optuna.create_study(study_name="h", storage=rdb)
    trial = study.ask()
    study_id, tid = rdb.get_study_id_from_name("h"), ot.trial_id(trial)
    writes = WriteTransactions(rdb.engine)
    rdb.hold_params(tid)
    _suggest(trial)
    rdb.write_held_params(tid)
    assert writes.count == 1
    assert rdb._get_stale_trial_ids(study_id) == []
    time.sleep(2.2)  # SQLite's CURRENT_TIMESTAMP counts whole seconds
    assert rdb._get_stale_trial_ids(study_id) == [tid]
    rdb.record_heartbeat(tid)  # Optuna's own beat updates the same row
    assert rdb._get_stale_trial_ids(study_id) == []


def test_a_trials_statements_are_built_once(storage):
    """Every trial reuses the upserts of its values, attrs and heartbeat (building one took
    longer than SQLite took to run it)."""
    from autost.storage import _url

    rdb = storage.optuna_storage(heartbeat_interval=60)
    study = optuna.create_study(study_name="b", storage=rdb)

    def one_trial() -> None:
        trial = study.ask()
        rdb.hold_params(ot.trial_id(trial))
        _suggest(trial)
        rdb.write_held_params(ot.trial_id(trial))
        rdb.hold_attrs(ot.trial_id(trial), {ot.ARCH_ID_ATTR: "a1"}, {"max_params": -0.5})
        study.tell(trial, 1.0)

    one_trial()
    built = _url._upsert.cache_info().misses
    for _ in range(3):
        one_trial()
    assert _url._upsert.cache_info().misses == built
    assert len(optuna.load_study(study_name="b", storage=storage.url).trials) == 4
