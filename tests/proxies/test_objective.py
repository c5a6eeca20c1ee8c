"""One objective type and parser for searches and reports."""

import pytest

from autost.exceptions import ReportError, SearchConfigError
from autost.proxies.objective import Objective, parse_objective


@pytest.mark.parametrize("spec, expected", [
    ("flops:max", Objective("flops", "max")), (" energy : MIN ", Objective("energy", "min")),
    ("accuracy:maximize", Objective("accuracy", "max")), ("sops", Objective("sops", "min")),
    ("accuracy", Objective("accuracy", "max")), ("macs_total:min", Objective("macs_total", "min")),
])
def test_specs(spec, expected):
    assert parse_objective(spec) == expected


def test_a_bare_name_takes_the_known_direction_first():
    known = [Objective("flops", "min")]
    assert parse_objective("flops", known=known) == Objective("flops", "min")
    assert parse_objective("flops") == Objective("flops", "max")


def test_spellings():
    objective = Objective("energy", "min")
    assert (objective.spec, objective.maximize, objective.study_direction) == (
        "energy:min", False, "minimize")


@pytest.mark.parametrize("error", [ReportError, SearchConfigError])
def test_errors_come_as_the_callers_kind(error):
    with pytest.raises(error, match=r"^objective 'flops:up' is malformed; write NAME:max or "
                                    r"NAME:min, e\.g\. flops:max$"):
        parse_objective("flops:up", error=error)
    with pytest.raises(error, match=r"^no direction known for score 'macs_total'; write "
                                    r"macs_total:max or macs_total:min$"):
        parse_objective("macs_total", error=error)
