"""The search warns once when two objectives rank its first 50 candidates alike."""

import optuna
import pytest
from scipy.stats import kendalltau

from autost.proxies.objective import Objective
from autost.search import search
from autost.search.redundancy import RedundancyCheck, kendall_tau_b, redundant_pairs


def test_pairs_above_the_threshold_by_hand():
    # a and b agree on every pair (tau 1); c reverses a (tau -1); d = (0, 1, 0, 1): of the
    # six pairs 3 concordant, 1 discordant, 2 tied in d: tau-b(a, d) = 2 / sqrt(6 * 4).
    rows = [(0, 0, 3, 0), (1, 1, 2, 1), (2, 2, 1, 0), (3, 3, 0, 1)]
    pairs = redundant_pairs(["a", "b", "c", "d"], rows)
    assert [(x, y, round(t, 6)) for x, y, t in pairs] == [
        ("a", "b", 1.0), ("a", "c", -1.0), ("b", "c", -1.0)]
    assert float(kendalltau([r[0] for r in rows], [r[3] for r in rows]).statistic) == \
        pytest.approx(2 / 24 ** 0.5)


@pytest.mark.parametrize("seed", range(5))
def test_tau_b_is_scipys_with_ties(seed):
    import random

    rng = random.Random(seed)
    x = [rng.randint(0, 6) for _ in range(50)]
    y = [v + rng.choice([-2, 0, 0, 3]) for v in x]
    assert kendall_tau_b(x, y) == pytest.approx(float(kendalltau(x, y).statistic), abs=1e-12)


def test_tau_b_of_a_constant_variable_is_nan():
    import math

    assert math.isnan(kendall_tau_b([1, 1, 1], [1, 2, 3]))


def test_check_waits_for_the_sample_uses_the_first_trials_and_warns_once():
    check = RedundancyCheck([Objective("a", "max"), Objective("b", "min")], sample=4)
    for number in (5, 1, 0):  # out of order, as workers finish
        check.add(number, [number, number])
    assert check.warnings() == []
    check.add(9, [9, -9])  # trial 9 is not among the first four once trial 2 is in
    check.add(2, [2, 2])
    (line,) = check.warnings()
    assert line.startswith("Warning: objectives a and b rank the first 4 candidates alike "
                           "(Kendall tau +1.000, |tau| > 0.9): the search optimizes one "
                           "quantity twice.")
    check.add(3, [3, 3])
    assert check.warnings() == []


def test_flops_and_energy_warn_once_in_a_real_search(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db.db'}"
    result = search("stmixer", budget=60, objectives=["flops:max", "energy:min"],
                    sampler="random", seed=0, storage=url, progress=False)
    trials = optuna.load_study(study_name="stmixer", storage=url).get_trials(
        states=(optuna.trial.TrialState.COMPLETE,))
    first = sorted(trials, key=lambda t: t.number)[:50]
    tau = float(kendalltau([t.values[0] for t in first], [t.values[1] for t in first])
                .statistic)
    assert tau > 0.9
    warning = (f"Warning: objectives flops and energy rank the first 50 candidates alike "
               f"(Kendall tau {tau:+.3f}, |tau| > 0.9)")
    assert [n[:len(warning)] for n in result.notes] == [warning]
    assert capsys.readouterr().err.count("Warning: objectives") == 1
    again = search("stmixer", budget=61, storage=url, progress=False)  # resumed: told again
    assert [n[:len(warning)] for n in again.notes] == [warning]


def test_no_warning_for_objectives_that_disagree(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.db'}"
    # on the mixed space time steps and token mixers make FLOPs and parameters disagree
    result = search("mixed", budget=50, objectives=["flops:max", "params:min"],
                    sampler="random", seed=0, storage=url, progress=False)
    trials = optuna.load_study(study_name="mixed", storage=url).get_trials(
        states=(optuna.trial.TrialState.COMPLETE,))
    tau = kendalltau([t.values[0] for t in trials], [t.values[1] for t in trials]).statistic
    assert len(trials) == 50 and abs(tau) < 0.9 and result.notes == []
