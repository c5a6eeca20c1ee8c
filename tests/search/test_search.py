"""The study loop on SQLite: budget, resume, cache, attrs, constraints, failed candidates."""

import optuna
import pytest
import sqlalchemy as sa

import autost.proxies
from autost.exceptions import BuildError, SearchConfigError, SearchError
from autost.search import coordinator, search
from autost.storage import open_storage, study_record, trial_rows
from autost.storage.models import Score

COST = ["params:min", "flops:max"]


def _run(space, url, budget, **kw):
    kw.setdefault("objectives", COST)
    kw.setdefault("seed", 0)
    return search(space, budget=budget, storage=url, progress=False, **kw)


def _study(url, name):
    return optuna.load_study(study_name=name, storage=url)


def _score_rows(url) -> int:
    with open_storage(url).engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(Score)).scalar()


def _states(study) -> dict[str, int]:
    counts = {}
    for t in study.trials:
        counts[t.state.name] = counts.get(t.state.name, 0) + 1
    return counts


def test_search_fills_the_budget_and_records_the_study(sqlite_url):
    result = _run("stmixer", sqlite_url, 8, constraints={"max_params": "3M"})
    study = _study(sqlite_url, "stmixer")
    assert result.complete == 8 and _states(study) == {"COMPLETE": 8}
    assert study.user_attrs["objectives"] == COST
    assert study.user_attrs["constraints"] == {"max_params": 3e6}
    assert {k: study.user_attrs[k] for k in ("sampler", "seed", "space", "rates", "budget")} \
        == {"sampler": "tpe", "seed": 0, "space": "stmixer", "rates": "prior", "budget": 8}
    assert study.metric_names == ["params", "flops"]
    stored = open_storage(sqlite_url)
    for trial in study.trials:
        assert trial.user_attrs["space"] == "stmixer"
        scores = stored.get_scores(trial.user_attrs["arch_id"], trial.user_attrs["settings_key"])
        assert trial.values == [scores.values["params"], scores.values["flops"]]
        violation = trial.constraints["max_params"]
        assert violation == pytest.approx((scores.values["params"] - 3e6) / 3e6)
    feasible = {t.number for t in study.trials if t.constraints["max_params"] <= 0}
    assert result.best and {b.number for b in result.best} <= feasible
    arch_ids = {t.user_attrs["arch_id"] for t in study.trials}
    assert _score_rows(sqlite_url) == len(arch_ids) == result.run["scored"]


def test_a_rerun_adds_only_what_the_budget_misses(sqlite_url):
    assert _run("stmixer", sqlite_url, 4).run["complete"] == 4
    again = search("stmixer", budget=6, storage=sqlite_url, progress=False)  # study's options
    assert again.run["complete"] == 2 and again.complete == 6
    assert again.objectives == COST and again.seed == 0
    assert _run("stmixer", sqlite_url, 6).run["complete"] == 0
    assert _states(_study(sqlite_url, "stmixer")) == {"COMPLETE": 6}


def test_a_rerun_with_other_objectives_is_an_error(sqlite_url):
    _run("stmixer", sqlite_url, 2)
    with pytest.raises(SearchConfigError, match="objectives: study has .*--study NAME"):
        _run("stmixer", sqlite_url, 3, objectives=["flops:max"])
    assert _run("stmixer", sqlite_url, 3, objectives=["flops:max"], study_name="other").complete


def test_same_seed_same_candidates(tmp_path):
    runs = []
    for i in range(2):
        url = f"sqlite:///{tmp_path / f'{i}.db'}"
        _run("stmixer", url, 5, seed=11)
        runs.append([t.user_attrs["arch_id"] for t in _study(url, "stmixer").trials])
    assert runs[0] == runs[1]


def test_scores_are_cached_across_studies(tiny_space, sqlite_url):
    first = _run(tiny_space, sqlite_url, 4, sampler="grid", study_name="a")
    second = _run(tiny_space, sqlite_url, 4, sampler="grid", study_name="b")
    assert first.run["scored"] == 4 and first.run["cached"] == 0
    assert second.run["scored"] == 0 and second.run["cached"] == 4
    assert _score_rows(sqlite_url) == 4


def test_a_study_of_other_proxies_scores_only_what_the_stored_sets_lack(tiny_space,
                                                                       sqlite_url,
                                                                       monkeypatch):
    _run(tiny_space, sqlite_url, 4, sampler="grid", study_name="a")
    stored = {t.user_attrs["arch_id"]: t.values[1] for t in _study(sqlite_url, "a").trials}
    asked, real = [], autost.proxies.score_architecture
    monkeypatch.setattr(autost.proxies, "score_architecture",
                        lambda c, proxies, s: asked.append(list(proxies)) or real(c, proxies, s))
    second = _run(tiny_space, sqlite_url, 4, sampler="grid", study_name="b",
                  objectives=["flops:max", "energy:min"])
    assert second.run["scored"] == 4 and asked == [["energy"]] * 4
    trials = _study(sqlite_url, "b").trials
    assert {t.user_attrs["arch_id"]: t.values[0] for t in trials} == stored  # flops reused
    assert _score_rows(sqlite_url) == 4
    assert len({t.user_attrs["settings_key"] for t in trials}) == 1


def test_grid_stops_when_every_point_is_done(tiny_space, sqlite_url):
    result = _run(tiny_space, sqlite_url, 10, sampler="grid")
    assert result.complete == 4
    arch_ids = [t.user_attrs["arch_id"] for t in _study(sqlite_url, "tiny").trials]
    assert len(set(arch_ids)) == 4


def test_a_candidate_that_cannot_be_scored_fails_and_the_search_goes_on(monkeypatch,
                                                                         sqlite_url):
    real = autost.proxies.score_architecture

    def flaky(cfg, proxies, settings):
        if cfg.embed_dim == 192:
            raise BuildError(f"cannot build {cfg.summary()}")
        return real(cfg, proxies, settings)

    monkeypatch.setattr(autost.proxies, "score_architecture", flaky)
    result = _run("stmixer", sqlite_url, 8, seed=1)
    study = _study(sqlite_url, "stmixer")
    failed = [t for t in study.trials if t.state.name == "FAIL"]
    assert result.complete == 8 and failed and result.run["failed"] == len(failed)
    for t in failed:
        assert t.user_attrs["fail_reason"].startswith("BuildError: cannot build L")
        assert t.user_attrs["arch_id"]
    storage = open_storage(sqlite_url)
    rows = trial_rows(storage, study_record(storage, "stmixer"))
    assert {r.number for r in rows if r.fail_reason} == {t.number for t in failed}


def test_a_search_where_every_candidate_fails_stops_with_one_error(monkeypatch, sqlite_url):
    def broken(cfg, proxies, settings):
        raise RuntimeError("proxy bug")

    monkeypatch.setattr(autost.proxies, "score_architecture", broken)
    monkeypatch.setattr(coordinator, "MAX_FAILURES_IN_A_ROW", 3)
    with pytest.raises(SearchError, match="3 candidates in a row .* RuntimeError: proxy bug"):
        _run("stmixer", sqlite_url, 5)
    assert _states(_study(sqlite_url, "stmixer")) == {"FAIL": 3}


def test_two_local_workers_fill_the_budget_exactly(sqlite_url):
    result = _run("stmixer", sqlite_url, 10, workers=2)
    study = _study(sqlite_url, "stmixer")
    assert result.complete == 10 and _states(study) == {"COMPLETE": 10}
    arch_ids = {t.user_attrs["arch_id"] for t in study.trials}
    assert _score_rows(sqlite_url) == len(arch_ids) == result.run["scored"]


def test_a_trial_another_process_failed_meanwhile_is_dropped_and_the_search_goes_on(
        monkeypatch, sqlite_url):
    """Another process fails a running trial whose heartbeat it finds stale (this one
    stalled); the tell is refused, the trial is left as that process wrote it."""
    real, failed = autost.proxies.score_architecture, []

    def stalled(cfg, proxies, settings):
        if not failed:
            other = optuna.storages.RDBStorage(sqlite_url)
            (running,) = [t for t in optuna.load_study(study_name="stmixer", storage=other)
                          .trials if t.state.name == "RUNNING"]
            other.set_trial_state_values(running._trial_id, optuna.trial.TrialState.FAIL)
            failed.append(running.number)
        return real(cfg, proxies, settings)

    monkeypatch.setattr(autost.proxies, "score_architecture", stalled)
    result = _run("stmixer", sqlite_url, 5, seed=3)
    study = _study(sqlite_url, "stmixer")
    assert result.complete == 5 and _states(study) == {"COMPLETE": 5, "FAIL": 1}
    (dropped,) = [t for t in study.trials if t.state.name == "FAIL"]
    assert dropped.number == failed[0] and dropped.user_attrs == {}
    assert result.run["told"] == 5 and any("failed by another process" in n
                                           for n in result.notes)


def test_a_trial_finished_after_another_process_met_the_budget_is_pruned(monkeypatch,
                                                                          sqlite_url):
    real = autost.proxies.score_architecture
    budget = 4

    def other_process_finishes_one(cfg, proxies, settings):
        study = _study(sqlite_url, "stmixer")
        if sum(t.state.name == "COMPLETE" for t in study.trials) == budget - 1:
            study.add_trial(optuna.create_trial(values=[1.0, 1.0]))
        return real(cfg, proxies, settings)

    monkeypatch.setattr(autost.proxies, "score_architecture", other_process_finishes_one)
    result = _run("stmixer", sqlite_url, budget, seed=2)
    states = _states(_study(sqlite_url, "stmixer"))
    assert states["COMPLETE"] == budget and result.run["complete"] == budget - 1
    assert states["PRUNED"] == result.run["over_budget"] == 1
    (pruned,) = [t for t in _study(sqlite_url, "stmixer").trials if t.state.name == "PRUNED"]
    assert pruned.user_attrs["over_budget"] is True and pruned.user_attrs["arch_id"]
