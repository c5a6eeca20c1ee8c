"""One vocabulary of directions ("max", "min") and its one mapping to Optuna's."""

import optuna
import pytest

from autost.proxies.direction import (
    DIRECTIONS,
    direction_of,
    optuna_direction,
    parse_direction,
    sign,
)
from autost.storage.study_reader import objective_specs


@pytest.mark.parametrize("text, expected", [
    ("max", "max"), ("min", "min"), (" MAX ", "max"), ("maximize", "max"),
    ("Minimize", "min"), ("up", None), ("", None), ("maxi", None),
])
def test_parse_direction_reads_both_spellings(text, expected):
    assert parse_direction(text) == expected


def test_sign_makes_larger_better_and_refuses_other_words():
    assert (sign("max"), sign("min")) == (1.0, -1.0)
    with pytest.raises(ValueError, match="^direction must be 'max' or 'min', not 'maximize'$"):
        sign("maximize")


def test_optuna_directions_round_trip_through_a_real_study():
    study = optuna.create_study(directions=[optuna_direction(d) for d in DIRECTIONS])
    assert study.directions == [optuna.study.StudyDirection.MAXIMIZE,
                                optuna.study.StudyDirection.MINIMIZE]
    assert [direction_of(d) for d in study.directions] == ["max", "min"]
    with pytest.raises(ValueError, match="NOT_SET is neither MAXIMIZE nor MINIMIZE"):
        direction_of(optuna.study.StudyDirection.NOT_SET)


def test_a_study_without_autost_settings_names_its_objectives_by_optuna_directions():
    study = optuna.create_study(directions=["minimize", "maximize"])
    study.set_metric_names(["energy", "flops"])
    assert objective_specs(study) == ["energy:min", "flops:max"]
