"""Options every command shares: ``--json``/``--csv`` on every listing, one ``--storage``,
and misuse answered by one ``Error:`` line with exit 2."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.cli.options import STORAGE_HELP
from autost.models import list_presets
from autost.space import list_spaces

LISTINGS = [["models", "list"], ["spaces", "list"], ["results", "top"], ["pareto"], ["train"],
            ["reproduce", "scatter"], ["fidelity"]]
WITH_STORAGE = [["results", "top"], ["results", "show"], ["pareto"], ["train"],
                ["reproduce", "scatter"], ["fidelity"], ["report"], ["calibrate"], ["search"],
                ["worker"], ["serve"]]
CLI = Path(__file__).parents[2] / "cli"


def _run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_takes_json_and_csv(command):
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "--json" in result.output and "--csv" in result.output


@pytest.mark.parametrize("command", WITH_STORAGE, ids=" ".join)
def test_every_storage_option_is_the_shared_one(command):
    help_text = " ".join(_run(*command, "--help").output.split())
    assert f"--storage URL {STORAGE_HELP}" in help_text


def test_json_and_csv_together_is_misuse():
    result = _run("spaces", "list", "--json", "--csv")
    assert (result.exit_code, result.output) == (2, "Error: give at most one of --json and "
                                                    "--csv\n")


def test_models_and_spaces_list_as_csv_carry_the_json_rows():
    for command, names in ((["models", "list"], [p.name for p in list_presets()]),
                           (["spaces", "list"], list_spaces())):
        as_csv = list(csv.DictReader(io.StringIO(_run(*command, "--csv").output)))
        as_json = json.loads(_run(*command, "--json").output)
        assert [r["name"] for r in as_csv] == [r["name"] for r in as_json] == names
        assert list(as_csv[0]) == list(as_json[0])


@pytest.mark.parametrize("args, line", [
    (["results", "top", "--study", "s", "-k", "0"],
     "Error: Invalid value for '-k' / '--limit': 0 is not in the range x>=1."),
    (["report", "--study", "s", "--out", "r", "-k", "0"],
     "Error: Invalid value for '-k': 0 is not in the range x>=1."),
    (["results", "top"], "Error: Missing option '--study'."),
    (["results", "top", "--study", "s", "--jsn"],
     "Error: No such option '--jsn'. (Did you mean one of: '--csv', '--json'?)"),
    (["serach"], "Error: unknown command 'serach'; did you mean 'search', 'serve', 'spaces'?"),
])
def test_misuse_is_one_error_line_and_exit_2(args, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(*args)
    assert (result.exit_code, result.output) == (2, line + "\n")
    assert list(tmp_path.iterdir()) == []


def test_a_group_without_a_command_still_prints_its_help():
    result = CliRunner().invoke(main, ["models"], prog_name="autost")
    assert result.output.startswith("Usage: autost models [OPTIONS] COMMAND")
    assert "Commands:\n  list " in result.output


def test_every_json_output_goes_through_the_one_encoder():
    """JSON from a command is written by autost.tables.to_json (non-finite: null), never by
    a json.dumps of its own."""
    found = [f"{p.name}:{n}" for p in sorted(CLI.glob("*.py"))
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"json\.dumps?\(", line)]
    assert found == []
