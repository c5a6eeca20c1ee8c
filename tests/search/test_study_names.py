"""One rule for a new study's name, in the library, ``autost search`` and the service."""

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.exceptions import SearchConfigError
from autost.search.study_names import check_study_name

BAD = ["../../etc/passwd", "a/b", "..", ".hidden", "-rm", "", "two words", "naïve", "x" * 129,
       "<img src=x>", "tiny;drop", "tiny\n"]
GOOD = ["tiny", "stmixer-2", "run_3.v2", "0", "A" * 128]


@pytest.mark.parametrize("name", GOOD)
def test_letters_digits_and_dash_underscore_dot_pass(name):
    assert check_study_name(name) == name


@pytest.mark.parametrize("name", BAD)
def test_anything_else_is_refused_saying_what_is_allowed(name):
    with pytest.raises(SearchConfigError) as e:
        check_study_name(name)
    assert str(e.value) == (
        f"study name {name!r} is not allowed: use letters, digits and -_. (starting with a "
        "letter or digit, at most 128 characters), e.g. --study my-search.1")


def test_search_refuses_before_the_database_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["search", "--space", "autost-tiny", "--budget", "2",
                                       "--objective", "flops:max", "--objective", "energy:min",
                                       "--study", "../../etc/passwd"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: study name '../../etc/passwd' is not allowed: use letters, digits and -_. "
        "(starting with a letter or digit, at most 128 characters), e.g. --study my-search.1"]
    assert list(tmp_path.iterdir()) == []
