"""Pareto dominance: equal to a brute-force filter, and the search's front is Optuna's."""

import numpy as np
import optuna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autost.search import search
from autost.search.dominance import non_dominated


@st.composite
def point_sets(draw, k):
    """Small integer grids force ties, infinities come as a search may tell them; rows
    repeated on purpose give exact duplicates."""
    directions = draw(st.lists(st.sampled_from(["max", "min"]), min_size=k, max_size=k))
    values = st.one_of(st.integers(0, 5), st.sampled_from([-np.inf, np.inf]))
    rows = draw(st.lists(st.lists(values, min_size=k, max_size=k), max_size=40))
    repeats = draw(st.lists(st.integers(0, max(len(rows) - 1, 0)), max_size=5)) if rows else []
    rows += [rows[i] for i in repeats]
    scale = draw(st.sampled_from([1.0, 0.5, 1e6]))
    return np.array(rows, dtype=float).reshape(len(rows), k) * scale, directions


@pytest.mark.parametrize("k", [2, 3])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_front_equals_brute_force(k, data, brute_force):
    points, directions = data.draw(point_sets(k))
    assert non_dominated(points, directions).tolist() == brute_force(points, directions)


def test_infinite_values_take_part():
    points = np.array([[np.inf, 5.0], [1.0, 1.0], [np.inf, np.inf], [-np.inf, 0.0]])
    assert non_dominated(points, ["max", "min"]).tolist() == [0, 1, 3]
    assert non_dominated(np.array([[np.inf, np.inf]]), ["min", "min"]).tolist() == [0]


def test_identical_points_are_all_on_the_front():
    points = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 3.0], [0.0, 2.0]])
    assert non_dominated(points, ["max", "min"]).tolist() == [0, 1]


def test_one_vocabulary_of_directions_and_bad_input():
    points = np.array([[1.0, 1.0], [2.0, 2.0]])
    assert non_dominated(points, ["max", "max"]).tolist() == [1]
    with pytest.raises(ValueError, match="^direction must be 'max' or 'min', not 'maximize'$"):
        non_dominated(points, ["maximize", "max"])
    with pytest.raises(ValueError, match="NaN"):
        non_dominated(np.array([[np.nan, 1.0]]), ["max", "min"])
    with pytest.raises(ValueError, match="shape"):
        non_dominated(points, ["max"])
    with pytest.raises(ValueError, match="direction"):
        non_dominated(points, ["max", "up"])


def test_the_search_result_holds_optunas_best_trials(tmp_path, brute_force):
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = search("stmixer", budget=25, objectives=["flops:max", "energy:min"],
                    constraints={"max_params": "3M"}, seed=2, storage=url, progress=False)
    study = optuna.load_study(study_name="stmixer", storage=url)
    first = {}
    for trial in sorted(study.best_trials, key=lambda t: (-t.values[0], -t.number)):
        first.setdefault(trial.user_attrs["arch_id"], trial.number)
    assert [b.number for b in result.best] == list(first.values())
    feasible = [t for t in study.trials if t.constraints["max_params"] <= 0]
    assert len(feasible) < 25 and len(result.best) > 2
    points = np.array([t.values for t in feasible])
    on_front = {feasible[i].user_attrs["arch_id"] for i in brute_force(points, ["max", "min"])}
    assert {b.arch_id for b in result.best} == on_front
