"""Objective specs, ceiling quantities and constraint violations."""

import pytest

from autost.exceptions import SearchConfigError
from autost.proxies import get_proxy, list_proxies
from autost.search.objectives import (
    CEILINGS,
    Constraint,
    build_constraints,
    parse_objectives,
    parse_search_objective,
)


@pytest.mark.parametrize("name", list_proxies())
def test_a_bare_proxy_name_takes_the_proxys_direction(name):
    assert parse_search_objective(name).direction == get_proxy(name).direction


@pytest.mark.parametrize("spec, direction", [
    ("flops:max", "maximize"), ("flops:min", "minimize"), ("energy:MIN", "minimize"),
    ("params:maximize", "maximize"),
])
def test_objective_specs(spec, direction):
    objective = parse_search_objective(spec)
    assert (objective.direction, objective.study_direction) == (direction[:3], direction)
    assert objective.spec == f"{spec.split(':')[0]}:{direction[:3]}"


def test_unknown_objective_suggests_the_closest_proxy():
    with pytest.raises(SearchConfigError, match="unknown objective proxy 'flop'.*'flops'"):
        parse_search_objective("flop:max")


def test_bad_direction_and_duplicates_are_errors():
    with pytest.raises(SearchConfigError, match="NAME:max or NAME:min"):
        parse_search_objective("flops:up")
    with pytest.raises(SearchConfigError, match="flops given twice"):
        parse_objectives(["flops:max", "flops:min"])
    with pytest.raises(SearchConfigError, match="at least one objective"):
        parse_objectives([])


def test_command_line_ceilings_override_the_spaces():
    got = build_constraints({"max_params": 20e6, "max_energy_mj": 2.0},
                            {"max_params": "12M", "max_macs": None})
    assert got == (Constraint("max_params", 12e6), Constraint("max_energy_mj", 2.0))


def test_unknown_ceiling_is_an_error():
    with pytest.raises(SearchConfigError, match="unknown constraint 'max_param'"):
        build_constraints({}, {"max_param": 1})


@pytest.mark.parametrize("name", CEILINGS)
def test_violation_is_the_fraction_over_the_ceiling(name):
    c = Constraint(name, 10.0)
    key = c.score_key
    assert c.violation({key: 12.0}) == pytest.approx(0.2)
    assert c.violation({key: 10.0}) == 0.0
    assert c.violation({key: 5.0}) == pytest.approx(-0.5)
    assert c.proxy in list_proxies()


def test_unknown_names_list_the_known_in_a_plural_that_fits():
    from autost.exceptions import unknown_name

    assert str(unknown_name("objective proxy", "zzz", ["flops", "energy"])) == (
        "unknown objective proxy 'zzz'; known objective proxies: energy, flops")
    assert str(unknown_name("key", "zzz", ["a"])) == "unknown key 'zzz'; known keys: a"
