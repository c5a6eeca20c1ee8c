"""Rank aggregation (AZ-NAS's sum of log ranks) and the stored predictor's closed form,
against values worked out by hand."""

import math

import numpy as np
import pytest

from autost.proxies.combine import aggregate_name, aggregate_parts, rank_against, rank_aggregate
from autost.proxies.predictor import Predictor, feature

DIRECTIONS = {"a": "max", "b": "min"}
# Three architectures. a (larger is better): 1, 3, 2 -> ranks 1, 3, 2. b (smaller is
# better): 5, 5, 1 -> the two 5s tie for ranks 1 and 2 (1.5 each), the 1 ranks 3.
POPULATION = {"a": [1.0, 3.0, 2.0], "b": [5.0, 5.0, 1.0]}
EXPECTED = [math.log(1 / 3) + math.log(1.5 / 3), math.log(3 / 3) + math.log(1.5 / 3),
            math.log(2 / 3) + math.log(3 / 3)]


def test_rank_aggregate_by_hand():
    assert rank_aggregate(POPULATION, DIRECTIONS).tolist() == pytest.approx(EXPECTED, abs=1e-15)


def test_one_architecture_against_a_reference_is_its_value_in_reference_plus_itself():
    reference = {"a": [1.0, 3.0], "b": [5.0, 5.0]}
    assert rank_against(reference, {"a": 2.0, "b": 1.0}, DIRECTIONS) == \
        pytest.approx(EXPECTED[2], abs=1e-15)
    # a = 3 ties the reference's 3: rank 1 + 1 + 1/2 of 3; b = 5 ties both: 1 + 0 + 1
    tied = rank_against(reference, {"a": 3.0, "b": 5.0}, DIRECTIONS)
    assert tied == pytest.approx(math.log(2.5 / 3) + math.log(2 / 3), abs=1e-15)
    whole = rank_aggregate({"a": [1.0, 3.0, 3.0], "b": [5.0, 5.0, 5.0]}, DIRECTIONS)
    assert whole[2] == pytest.approx(tied, abs=1e-15)


def test_nan_and_the_worse_infinity_rank_last():
    values = rank_aggregate({"a": [math.nan, -math.inf, 0.0], "b": [math.inf, 0.0, 1.0]},
                            DIRECTIONS)
    # a: NaN and -inf tie at the bottom (1.5), 0 ranks 3; b: +inf is the worst (1), 0 best
    assert values.tolist() == pytest.approx([math.log(0.5) + math.log(1 / 3),
                                             math.log(0.5) + 0.0,
                                             0.0 + math.log(2 / 3)], abs=1e-15)


def test_aggregate_names():
    assert aggregate_name(["zico", "flops"]) == "zico+flops"
    assert aggregate_parts("zico+flops") == ("zico", "flops")
    assert aggregate_parts("zico") is None
    with pytest.raises(ValueError, match="one value per architecture"):
        rank_aggregate({"a": [1.0, 2.0], "b": [1.0]}, DIRECTIONS)


PREDICTOR = Predictor(
    name="p", dataset="synthetic", epochs=3, proxies=("flops", "sahd", "energy"),
    directions=("max", "max", "min"), log=(True, False, True),
    lower=(5.0, -2.0, -3.0), upper=(8.0, 4.0, 0.0), mean=(6.0, 1.0, -1.0),
    scale=(0.5, 2.0, 1.0), coef=(3.0, -1.0, 2.0), intercept=50.0, alpha=1.0,
    n_trainings=12, cv_folds=5, cv_kendall_tau=0.5,
    score_settings={"rates": "prior", "dataset": "synthetic"})


def test_predictor_by_hand():
    # flops 1e7 -> log10 7 -> (7 - 6) / 0.5 = 2; sahd 0 -> (0 - 1) / 2 = -0.5;
    # energy 0.01 -> log10 -2 -> (-2 + 1) / 1 = -1: 50 + 3 * 2 - 1 * -0.5 + 2 * -1 = 54.5
    assert PREDICTOR.predict({"flops": 1e7, "sahd": 0.0, "energy": 0.01}) == 54.5
    # out of the training range: flops 1e9 -> 9 clipped to 8; sahd -inf -> -2 (its worse
    # end); energy NaN -> +inf (worse for a minimized proxy) -> 0:
    # 50 + 3 * 4 - 1 * -1.5 + 2 * 1 = 65.5
    assert PREDICTOR.predict({"flops": 1e9, "sahd": -math.inf, "energy": math.nan}) == 65.5
    assert Predictor.from_dict(PREDICTOR.to_dict()) == PREDICTOR
    # A predictor stored with Optuna's spelling of the directions reads back the same.
    older = PREDICTOR.to_dict() | {"directions": ["maximize", "maximize", "minimize"]}
    assert Predictor.from_dict(older) == PREDICTOR
    assert PREDICTOR.describe() == (
        "predictor 'p': ridge on flops, sahd, energy, fitted on 12 trainings on synthetic "
        "(3 epochs); cross-validated Kendall tau +0.500 (5 folds)")


def test_feature_transform():
    assert feature("flops", 1000.0, True, "max") == 3.0
    assert feature("flops", 0.0, True, "max") == -math.inf
    assert feature("energy", math.nan, True, "min") == math.inf
    assert np.isclose(feature("zico", 2.5, False, "max"), 2.5)
