"""One quantity parser: a flag (``--max-params``) and a space file's ``[constraints]`` accept
the same forms and fail with the same words."""

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.exceptions import InvalidSpaceError, SearchConfigError
from autost.quantity import parse_quantity
from autost.space import load_space

GOOD = [("12M", 12e6), ("1.5G", 1.5e9), ("250k", 250e3), ("250K", 250e3), ("1.5", 1.5),
        ("12e6", 12e6), ("12_000_000", 12e6), (" 3 M ", 3e6), (".5", 0.5), ("2T", 2e12),
        ("1e3k", 1e6)]
BAD = ["", "M", "12X", "1.5mJ", "nan", "inf", "12 MM", "1__0", "12m"]


@pytest.mark.parametrize("text, value", [*GOOD, (2, 2.0), (0.25, 0.25)])
def test_quantities_take_si_suffixes(text, value):
    assert parse_quantity(text, "max-params", SearchConfigError) == pytest.approx(value)


@pytest.mark.parametrize("text", BAD)
def test_a_non_number_says_the_forms_accepted(text):
    with pytest.raises(SearchConfigError) as e:
        parse_quantity(text, "max-params", SearchConfigError)
    assert str(e.value) == (f"max-params {text!r} is not a number; write e.g. 12M, 1.5G, 250k "
                            "or 1.5")


@pytest.mark.parametrize("text", ["-3M", " -1.5 ", "0", "-0.0", -2, 0.0, float("inf")])
def test_a_zero_or_negative_quantity_is_said_to_be_not_positive(text):
    with pytest.raises(SearchConfigError) as e:
        parse_quantity(text, "max-params", SearchConfigError)
    assert str(e.value) == f"max-params {text!r} must be a positive number"


@pytest.mark.parametrize("raw", [True, [1], {"a": 1}])
def test_a_value_of_another_type_is_not_a_number(raw):
    with pytest.raises(InvalidSpaceError) as e:
        parse_quantity(raw, "FILE: [constraints] max_params", InvalidSpaceError)
    assert str(e.value).startswith(f"FILE: [constraints] max_params {raw!r} is not a number")


def _space(tmp_path, value: str) -> str:
    path = tmp_path / "toy.toml"
    path.write_text(f"[global]\ndepth = 2\n[constraints]\nmax_params = {value}\n")
    return str(path)


def _flag(value: str):
    return CliRunner().invoke(main, ["search", "--space", "stmixer", "--budget", "1",
                                     "--max-params", value])


@pytest.mark.parametrize("text, value", GOOD)
def test_a_space_file_takes_every_form_a_flag_takes(tmp_path, text, value):
    space = load_space(_space(tmp_path, f'"{text}"'))
    assert space.constraints == {"max_params": pytest.approx(value)}


@pytest.mark.parametrize("text", ["250X", "-3M"])
def test_a_space_file_and_a_flag_fail_with_the_same_words(tmp_path, text):
    path = _space(tmp_path, f'"{text}"')
    with pytest.raises(InvalidSpaceError) as e:
        load_space(path)
    in_file = str(e.value).removeprefix(f"{path}: [constraints] max_params ")
    flag = _flag(text)
    assert flag.exit_code == 2
    assert flag.output == f"Error: --max-params {in_file}\n"
