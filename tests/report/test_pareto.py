"""Pareto fronts of a study: equal to a brute-force filter; infeasible trials never take part."""

import optuna
import pytest

from autost.exceptions import ReportError
from autost.report import load_entries, pareto_front, pareto_rows
from autost.search import search


def test_infeasible_and_failed_trials_never_appear(scored_study, front_of):
    storage, info = scored_study
    front = pareto_front(load_entries(storage, "demo"))
    numbers = [e.trial for e in front.members]
    assert sorted(e.trial for e in front.candidates) == info["feasible"]
    expected = front_of(info, ["flops:max", "energy:min"])
    assert sorted(numbers) == expected and len(expected) < len(info["feasible"])
    everyone = front_of(info, ["flops:max", "energy:min"], sorted(info["values"]))
    assert set(everyone) & set(info["infeasible"])  # a leak of an infeasible trial would show
    flops = [e.scores["flops"] for e in front.members]
    assert flops == sorted(flops, reverse=True)  # best first in the first objective


@pytest.mark.parametrize("specs", [["flops:max", "params:min"],
                                   ["macs_per_step:max", "params:max", "energy:min"]])
def test_any_stored_score_and_three_objectives(scored_study, front_of, specs):
    storage, info = scored_study
    rows = pareto_rows(storage, "demo", specs)
    expected = front_of(info, specs)
    assert sorted(r.trial for r in rows) == expected and len(expected) < len(info["feasible"])


def test_accuracy_once_trained(scored_study):
    storage, info = scored_study
    low, high = sorted(info["feasible"][:2], key=lambda n: info["values"][n]["energy"])
    (infeasible, *_) = info["infeasible"]
    for number, accuracy in ((low, 60.0), (high, 75.0), (infeasible, 99.0)):
        storage.add_training(info["arch_ids"][number], dataset="digits", epochs=1, seed=0,
                             status="ok", accuracy=accuracy, study_name="demo")
    rows = pareto_rows(storage, "demo", ["accuracy", "energy:min"])
    assert sorted(r.trial for r in rows) == sorted([low, high])


def test_repeated_architecture_is_one_entry(scored_study):
    storage, info = scored_study
    study = optuna.load_study(study_name="demo", storage=storage.optuna_storage())
    study.enqueue_trial(study.trials[0].params)  # the search's next candidate repeats trial 0
    search(study.user_attrs["space_source"], budget=13, storage=storage.url, progress=False)
    repeat = optuna.load_study(study_name="demo", storage=storage.url).trials[-1]
    assert repeat.user_attrs["arch_id"] == info["arch_ids"][0] and repeat.number == 13
    entries = load_entries(storage, "demo").entries
    assert [e.trial for e in entries if e.arch_id == info["arch_ids"][0]] == [0]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_objectives_fall_back_to_metric_names(tmp_path):
    from autost.storage import open_storage

    storage = open_storage(f"sqlite:///{tmp_path / 'm.db'}")
    study = optuna.create_study(study_name="m", storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    with pytest.raises(ReportError, match="does not record its objectives"):
        pareto_front(load_entries(storage, "m"))
    study.set_metric_names(["sahd", "energy"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
                   n_trials=5)
    front = pareto_front(load_entries(storage, "m"))
    assert [o.spec for o in front.objectives] == ["sahd:max", "energy:min"]
    assert front.members and front.members[0].arch_id is None


def test_one_objective_is_not_a_front(scored_study):
    storage, _ = scored_study
    with pytest.raises(ReportError, match="two or more objectives, got 1 \\(flops:max\\)"):
        pareto_rows(storage, "demo", ["flops:max"])


def test_malformed_objective(scored_study):
    storage, _ = scored_study
    with pytest.raises(ReportError, match="objective 'flops:up' is malformed"):
        pareto_rows(storage, "demo", ["flops:up", "energy:min"])
