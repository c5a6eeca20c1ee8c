"""Pareto fronts of a study: equal to a brute-force filter; infeasible trials never take part."""

import numpy as np
import optuna
import pytest

from autost.exceptions import ReportError
from autost.report import load_entries, pareto_front, pareto_rows


def test_infeasible_and_failed_trials_never_appear(scored_study, brute_force):
    storage, info = scored_study
    front = pareto_front(load_entries(storage, "demo"))
    numbers = [e.trial for e in front.members]
    assert not set(numbers) & set(info["infeasible"] + info["failed"])
    assert sorted(e.trial for e in front.candidates) == info["feasible"]
    points = np.array([[info["values"][n]["flops"], info["values"][n]["energy"]]
                       for n in info["feasible"]])
    expected = [info["feasible"][i] for i in brute_force(points, ["max", "min"])]
    assert sorted(numbers) == sorted(expected)
    flops = [e.scores["flops"] for e in front.members]
    assert flops == sorted(flops, reverse=True)  # best first in the first objective


def test_any_stored_score_and_three_objectives(scored_study, brute_force):
    storage, info = scored_study
    rows = pareto_rows(storage, "demo", ["sops:max", "params:min", "sahd:max"])
    points = np.array([[info["values"][n][s] for s in ("sops", "params", "sahd")]
                       for n in info["feasible"]])
    expected = [info["feasible"][i] for i in brute_force(points, ["max", "min", "max"])]
    assert sorted(r.trial for r in rows) == sorted(expected)


def test_accuracy_once_trained(scored_study):
    storage, info = scored_study
    for number, accuracy in ((0, 60.0), (4, 75.0), (9, 99.0)):  # 9 is infeasible
        storage.add_training(info["arch_ids"][number], dataset="digits", epochs=1, seed=0,
                             status="ok", accuracy=accuracy, study_name="demo")
    rows = pareto_rows(storage, "demo", ["accuracy", "energy:min"])
    assert sorted(r.trial for r in rows) == [0, 4]


def test_repeated_architecture_is_one_entry(scored_study):
    storage, info = scored_study
    study = optuna.load_study(study_name="demo", storage=storage.optuna_storage())
    trial = study.ask()
    trial.set_user_attr("arch_id", info["arch_ids"][0])
    trial.set_user_attr("settings_key", study.trials[0].user_attrs["settings_key"])
    trial.set_constraint("max_params", -1.0)
    study.tell(trial, study.trials[0].values)
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
