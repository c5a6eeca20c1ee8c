"""Storage rows round-trip on SQLite and PostgreSQL; Optuna shares the database."""

import math
import types

import optuna
import pytest
import sqlalchemy as sa

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import StudyNotFoundError
from autost.storage import load_study, open_storage, study_record, trial_rows
from autost.storage.models import Candidate, Score

CFG = ArchConfig(blocks=(BlockConfig(token_mixer="stm", heads=4),), embed_dim=64)


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'a.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    storage = open_storage(url)
    yield storage
    storage.close()


def _result(**values):
    return types.SimpleNamespace(values=values, rate_source="init", flags=["blocks.0 silent"],
                                 layers=[{"name": "blocks.0.attn", "macs_total": 12.0}])


def _count(storage, model) -> int:
    with storage.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_candidate_is_stored_once_and_read_back(storage):
    storage.add_candidate(CFG, "stmixer")
    storage.add_candidate(CFG, "other-space")
    assert storage.get_candidate(CFG.arch_id) == CFG
    assert storage.get_candidate("0" * 64) is None
    assert _count(storage, Candidate) == 1


def test_first_scores_win_and_non_finite_values_survive(storage):
    storage.put_scores(CFG.arch_id, "k1", _result(params=10.0, naswot=-math.inf,
                                                  sahd=math.nan))
    storage.put_scores(CFG.arch_id, "k1", _result(params=99.0))
    stored = storage.get_scores(CFG.arch_id, "k1")
    assert stored.values["params"] == 10.0
    assert stored.values["naswot"] == -math.inf and math.isnan(stored.values["sahd"])
    assert stored.rate_source == "init" and stored.flags == ["blocks.0 silent"]
    assert stored.layers == [{"name": "blocks.0.attn", "macs_total": 12.0}]
    assert storage.get_scores(CFG.arch_id, "k2") is None
    storage.put_scores(CFG.arch_id, "k2", _result(params=11.0))
    assert [s.settings_key for s in storage.all_scores(CFG.arch_id)] == ["k1", "k2"]
    assert _count(storage, Score) == 2


def test_a_new_score_set_comes_back_as_it_reads_back(storage):
    """put_scores returns a new set without reading it back: what a read would give (JSON
    lists for tuples, non-finite values, the stored creation time)."""
    result = types.SimpleNamespace(values={"params": 10.0, "naswot": -math.inf},
                                   rate_source="init", flags=["blocks.0 silent"],
                                   layers=[{"name": "blocks.0", "shape": (1, 2), "sops": 3.0}])
    written = storage.put_scores(CFG.arch_id, "k1", result)
    assert written == storage.get_scores(CFG.arch_id, "k1")
    assert written.layers[0]["shape"] == [1, 2] and written.created_at is not None


def test_many_ids_are_read_whole_on_either_backend(storage):
    """More ids than one IN list holds on SQLite; one array parameter on PostgreSQL."""
    cfgs = [CFG.replace(embed_dim=8 * (i + 1)) for i in range(1234)]
    with storage.engine.begin() as connection:
        connection.execute(sa.insert(Candidate), [
            {"arch_id": c.arch_id, "arch_json": c.to_json(), "space": "s"} for c in cfgs])
        connection.execute(sa.insert(Score), [
            {"arch_id": c.arch_id, "settings_key": "k", "values": {"params": float(i)},
             "rate_source": "prior", "layers": [], "flags": []} for i, c in enumerate(cfgs)])
    ids = [c.arch_id for c in cfgs]
    absent = "f" * 64
    assert storage.candidate_jsons([*ids, absent]) == {c.arch_id: c.to_json() for c in cfgs}
    assert storage.candidate_spaces(ids[:3]) == dict.fromkeys(ids[:3], "s")
    values = storage.score_values_for([(a, "k") for a in ids] + [(absent, "k"), (ids[0], "x")])
    assert values == {(a, "k"): ({"params": float(i)}, "prior") for i, a in enumerate(ids)}


def test_values_of_later_proxies_join_stored_scores(storage):
    storage.put_scores(CFG.arch_id, "k1", _result(params=10.0, flops=5.0))
    plain = types.SimpleNamespace(values={"synflow": -math.inf, "params": 99.0},
                                  rate_source="none", flags=[], layers=[{"name": "blocks.0"}])
    merged = storage.put_scores(CFG.arch_id, "k1", plain)
    stored = storage.get_scores(CFG.arch_id, "k1")
    assert merged == stored
    assert stored.values == {"params": 10.0, "flops": 5.0, "synflow": -math.inf}
    assert stored.flags == ["blocks.0 silent"] and stored.rate_source == "init"
    assert stored.layers == [{"name": "blocks.0.attn", "macs_total": 12.0}]
    assert _count(storage, Score) == 1


def test_per_layer_rows_with_more_detail_replace_the_stored_ones(storage):
    storage.put_scores(CFG.arch_id, "k1", types.SimpleNamespace(
        values={"params": 10.0}, rate_source="none", flags=[],
        layers=[{"name": "blocks.0.attn", "macs_total": 12.0}]))
    rated = types.SimpleNamespace(values={"energy": 0.5, "params": 99.0}, rate_source="prior",
                                  flags=["blocks.0 silent"],
                                  layers=[{"name": "blocks.0.attn", "macs_total": 12.0,
                                           "rate": 0.25, "sops": 3.0}])
    stored = storage.put_scores(CFG.arch_id, "k1", rated)
    assert stored.values == {"params": 10.0, "energy": 0.5}
    assert (stored.rate_source, stored.flags, stored.layers) == (
        "prior", ["blocks.0 silent"], rated.layers)
    assert storage.get_scores(CFG.arch_id, "k1") == stored


def test_run_records_settings_versions_and_host(storage):
    run_id = storage.record_run("s", "stmixer", {"budget": 5, "max": math.inf}, seed=3)
    (run,) = storage.runs("s")
    assert run.id == run_id and run.space == "stmixer" and run.seed == 3
    assert run.settings == {"budget": 5, "max": math.inf}
    assert set(run.versions) == {"autost", "optuna", "torch", "sqlalchemy"}
    assert run.versions["optuna"] == optuna.__version__ and run.host
    assert storage.runs("other") == []


def test_trainings_filter_by_arch_and_study(storage):
    first = storage.add_training(CFG.arch_id, dataset="digits", epochs=2, seed=0,
                                 status="ok", accuracy=81.5, history=[{"epoch": 1}],
                                 rates={"blocks.0": 0.1}, energy_mj=0.2, study_name="s",
                                 trial_number=4)
    storage.add_training("b" * 64, dataset="digits", epochs=2, seed=0, status="failed",
                         error="out of memory")
    assert [t.id for t in storage.trainings()] == [first, first + 1]
    (row,) = storage.trainings(arch_id=CFG.arch_id, study_name="s")
    assert (row.accuracy, row.trial_number, row.rates) == (81.5, 4, {"blocks.0": 0.1})
    assert storage.trainings(study_name="nope") == []
    with pytest.raises(ValueError, match="status"):
        storage.add_training(CFG.arch_id, dataset="digits", epochs=1, seed=0, status="done")


def test_optuna_study_lives_in_the_same_database(storage):
    rdb = storage.optuna_storage(heartbeat_interval=2, grace_period=4)
    assert isinstance(rdb.heartbeat_stale_trial_callback,
                      optuna.storages.RetryHeartbeatStaleTrialCallback)
    assert (rdb.heartbeat_interval, rdb.grace_period) == (2, 4)
    optuna.create_study(study_name="shared", storage=rdb)
    names = sa.inspect(storage.engine).get_table_names()
    assert "studies" in names and "autost_candidates" in names
    again = storage.optuna_storage()  # second call skips Optuna's table checks
    assert optuna.get_all_study_names(again) == ["shared"]


def test_trial_rows_join_trials_with_rows(scored_study):
    storage, info = scored_study
    study = study_record(storage, "demo")
    ceiling = study.user_attrs["constraints"]["max_params"]
    rows = trial_rows(storage, study)
    assert [r.number for r in rows] == sorted(info["arch_ids"])
    by_number = {r.number: r for r in rows}
    for n in info["feasible"] + info["infeasible"]:
        row, values = by_number[n], info["values"][n]
        assert row.state == "COMPLETE" and row.feasible == (n in info["feasible"])
        assert row.arch.arch_id == row.arch_id == info["arch_ids"][n]
        assert row.scores == values and row.values == [values["flops"], values["energy"]]
        assert row.settings_key == info["settings_key"] and row.space == "demo"
        assert row.rate_source == "prior" and row.accuracy is None
        excess = (values["params"] - ceiling) / ceiling
        assert row.violations == ({} if row.feasible else {"max_params": pytest.approx(excess)})
    (failed,) = info["failed"]
    row = by_number[failed]
    assert (row.state, row.values, row.scores) == ("FAIL", None, {})
    assert row.fail_reason == f"BuildError: cannot build {row.arch.summary()}"


def test_trial_rows_take_latest_accuracy_of_this_study_first(scored_study):
    storage, info = scored_study
    arch_id = info["arch_ids"][0]
    for study, accuracy in (("demo", 70.0), ("demo", 75.0), ("other", 90.0)):
        storage.add_training(arch_id, dataset="digits", epochs=1, seed=0, status="ok",
                             accuracy=accuracy, study_name=study)
    storage.add_training(arch_id, dataset="digits", epochs=1, seed=0, status="failed",
                         study_name="demo")
    assert trial_rows(storage, study_record(storage, "demo"))[0].accuracy == 75.0


def test_unknown_study_lists_existing_names(scored_study):
    storage, _ = scored_study
    with pytest.raises(StudyNotFoundError) as e:
        load_study(storage, "dmeo")
    assert str(e.value) == (f"no study 'dmeo' in {storage.masked_url}; studies there: demo "
                            "(or give the right --storage)")


def test_trial_rows_on_postgresql(postgres_url, scored_study_builder):
    storage, info = scored_study_builder(postgres_url)
    rows = trial_rows(storage, study_record(storage, "demo"))
    # every trial is a row, a repeated (feasible) architecture's too
    assert [r.number for r in rows if r.feasible and r.state == "COMPLETE"] == sorted(
        info["feasible"] + info["repeats"])
    assert {r.number: r.scores for r in rows if r.scores} == info["values"]
    assert [r.number for r in rows if r.fail_reason] == info["failed"]
    storage.close()


def test_archs_are_read_in_batches_in_trial_order_and_parsed_on_use(scored_study,
                                                                    monkeypatch):
    from autost.storage import StoredArchs

    storage, info = scored_study
    stored = {a: storage.get_candidate(a) for a in info["arch_ids"].values()}
    reads = []
    real = storage.candidate_jsons
    monkeypatch.setattr(storage, "candidate_jsons",
                        lambda ids: reads.append(list(ids)) or real(ids))
    monkeypatch.setattr(StoredArchs, "BATCH", 5)
    rows = trial_rows(storage, study_record(storage, "demo"))
    assert reads == []  # nothing is read until an architecture is used
    distinct = list(dict.fromkeys(info["arch_ids"][n] for n in sorted(info["arch_ids"])))
    assert [r.arch for r in rows] == [stored[r.arch_id] for r in rows]
    assert reads == [distinct[i:i + 5] for i in range(0, len(distinct), 5)]
    assert rows[0].archs.get("0" * 64) is None  # not an architecture of the study
