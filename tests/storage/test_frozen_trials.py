"""The bulk trial read gives exactly the FrozenTrials Optuna's own RDBStorage builds."""

import math

import optuna
import pytest

from autost.storage import open_storage
from autost.storage.frozen_trials import BulkReadRDBStorage
from autost.storage.optuna_tables import decode_json

States = optuna.trial.TrialState


def _every_kind_of_trial(rdb) -> list[int]:
    """Two studies holding each state, parameter kind and stored value type: one of two
    objectives, one of one whose trials report intermediate values."""
    ids = [_study(rdb, "two", ["maximize", "minimize"]), _study(rdb, "one", ["maximize"])]
    return ids


def _study(rdb, name: str, directions: list[str]) -> int:
    single = len(directions) == 1
    study = optuna.create_study(study_name=name, storage=rdb, directions=directions)
    study.enqueue_trial({"width": 64})  # stays WAITING
    for i in range(6):
        trial = study.ask()
        trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        trial.suggest_int("depth", 1, 8)
        trial.suggest_categorical("mixer", ["ssa", "stm", None])
        trial.suggest_float("ratio", 1.0, 4.0, step=0.5)
        trial.set_user_attr("arch_id", f"a{i}")
        trial.set_user_attr("note", {"k": [1, 2.5, "é"], "q": 'say "hi"\\n'})
        trial.set_constraint("max_params", float(i - 3))
        if i == 0:
            study.tell(trial, [math.inf, -math.inf][:len(directions)])
        elif i == 1:
            if single:
                trial.report(math.nan, 0)
                trial.report(math.inf, 1)
                trial.report(0.25, 2)
            study.tell(trial, state=States.PRUNED)
        elif i == 2:
            study.tell(trial, state=States.FAIL)
        elif i < 5:
            study.tell(trial, [0.5 * i, 10.0 - i][:len(directions)])
        # i == 5 stays RUNNING
    return study._study_id


@pytest.fixture(params=[0, 1], ids=["two objectives", "one reporting"])
def both(url, request):
    """(Optuna's RDBStorage, the bulk reader) on one database, and one study's id."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plain = optuna.storages.RDBStorage(url)
    study_ids = _every_kind_of_trial(plain)
    return plain, BulkReadRDBStorage(url), study_ids[request.param]


@pytest.mark.parametrize(("states", "included", "greater_than"), [
    (None, set(), -1),
    ((States.COMPLETE, States.PRUNED), set(), -1),
    (None, {1, 3}, 4),
    ((States.RUNNING, States.WAITING), {2}, 5),
    (None, set(), 99),
])
def test_the_same_trials_as_optunas_orm_read(both, states, included, greater_than):
    plain, bulk, study_id = both
    expected = plain._get_trials(study_id, states, included, greater_than)
    found = bulk._get_trials(study_id, states, included, greater_than)
    assert [t.number for t in found] == [t.number for t in expected]
    assert [t.state for t in found] == [t.state for t in expected]
    # FrozenTrial equality compares every field; a NaN intermediate value is never equal
    nan_free = [(t, e) for t, e in zip(found, expected, strict=True)
                if not any(math.isnan(v) for v in e.intermediate_values.values())]
    assert all(t == e for t, e in nan_free)
    for t, e in zip(found, expected, strict=True):
        assert repr(t.intermediate_values) == repr(e.intermediate_values)
        assert t.datetime_start == e.datetime_start
        assert t.datetime_complete == e.datetime_complete


def test_many_included_ids_are_filtered_after_reading(both, monkeypatch):
    import autost.storage.frozen_trials as ft

    plain, bulk, study_id = both
    expected = plain._get_trials(study_id, None, {1, 3}, 4)
    monkeypatch.setattr(ft, "MAX_LISTED_IDS", 1)
    found = bulk._get_trials(study_id, None, {1, 3}, 4)
    assert [t._trial_id for t in found] == [t._trial_id for t in expected]


def test_one_trial_is_the_one_optuna_reads(both):
    plain, bulk, study_id = both
    for expected in plain._get_trials(study_id, None, set(), -1):
        found = bulk.get_trial(expected._trial_id)
        assert repr(found.intermediate_values) == repr(expected.intermediate_values)
        if not any(math.isnan(v) for v in expected.intermediate_values.values()):
            assert found == expected
        assert (found.datetime_start, found.datetime_complete) == (
            expected.datetime_start, expected.datetime_complete)
    with pytest.raises(KeyError, match="Record does not exist"):
        bulk.get_trial(10_000)


def test_a_missing_study_is_a_key_error_as_in_optuna(both):
    _, bulk, study_id = both
    with pytest.raises(KeyError):
        bulk._get_trials(study_id + 2, None, set(), -1)


def test_autosts_studies_read_through_it(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(storage.optuna_storage(), BulkReadRDBStorage)
    study = optuna.create_study(study_name="s", storage=storage.optuna_storage())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    loaded = optuna.load_study(study_name="s", storage=storage.optuna_storage())
    assert [t.params for t in loaded.trials] == [t.params for t in study.trials]


@pytest.mark.parametrize("text", ['"a1b2"', '"say \\"hi\\""', '"\\u00e9"', '""', "1", "2.5",
                                  '[1, "x"]', '{"k": null}', "true"])
def test_decode_json_reads_what_json_reads(text):
    import json

    assert decode_json(text) == json.loads(text)
    assert type(decode_json(text)) is type(json.loads(text))


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_local_times_match_astimezone_across_offset_changes(zone, monkeypatch):
    """The offset computed once per quarter hour gives what converting each datetime gives,
    across daylight-saving changes (Lord Howe's is half an hour) and odd offsets."""
    import datetime
    import time

    from autost.storage.frozen_trials import _LocalTime

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        local = _LocalTime()
        for start in (datetime.datetime(2026, 3, 28, 12), datetime.datetime(2026, 10, 24, 12),
                      datetime.datetime(2026, 4, 4, 12)):
            for minutes in range(0, 24 * 60, 7):
                stored = start + datetime.timedelta(minutes=minutes, seconds=13,
                                                    microseconds=minutes)
                assert local(stored) == stored.replace(tzinfo=datetime.UTC).astimezone(
                    ).replace(tzinfo=None)
        assert local(None) is None
    finally:
        monkeypatch.undo()
        time.tzset()
