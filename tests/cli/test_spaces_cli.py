"""`autost spaces list | show | validate` through click's CliRunner."""

import json

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.space import list_spaces, load_space

USER_SPACE = """
[space]
name = "mine"
description = "my own space"
[global]
depth = {low = 1, high = 3}
embed_dim = [128, 256]
[block]
token_mixer = ["ssa", "stm"]
"""


def run(*args):
    return CliRunner().invoke(main, ["spaces", *args])


@pytest.mark.parametrize("args", [[], ["list"], ["show"], ["validate"]])
def test_help_on_every_command(args):
    result = run(*args, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_list_prints_a_row_per_space():
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "parameters", "architectures", "grid", "description"]
    assert [line.split()[0] for line in lines[2:]] == list_spaces()
    assert lines[2 + list_spaces().index("spikformer")].split()[:4] == [
        "spikformer", "5", "504", "no"]
    assert "alias of autost-small" in result.output


def test_list_json_has_parameters_size_and_finiteness():
    rows = json.loads(run("list", "--json").output)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == set(list_spaces())
    # 4 layouts x 3 widths x 2 mlp ratios x 3 timesteps x (27 stage mixer triples x 2 heads,
    # less the qk_channel-only triple, which reads no heads): 144 x 53
    assert by_name["qkformer"]["finite"] is False and by_name["qkformer"]["size"] == 3816
    assert by_name["autost"]["alias_of"] == "autost-small"
    assert by_name["spikformer"]["parameters"] == load_space("spikformer").num_parameters()


def test_show_prints_parameters_and_conditions():
    result = run("show", "mixed")
    assert result.exit_code == 0
    assert "space: mixed" in result.output
    assert "block{i}.token_experts" in result.output and "token_mixer in {emsa}" in result.output


def test_show_json_is_describe():
    result = run("show", "spikformer", "--json")
    assert json.loads(result.output) == load_space("spikformer").describe()


def test_show_and_validate_accept_a_users_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(USER_SPACE)
    shown = run("show", str(path))
    assert shown.exit_code == 0 and "space: mine" in shown.output
    result = run("validate", str(path), "--samples", "50")
    assert result.exit_code == 0
    assert result.output == (f"OK: {path}: space 'mine', up to 5 parameters per trial, 28 "
                             "architectures, 50 samples valid\n")
    one = run("validate", str(path), "--samples", "1")
    assert one.output.endswith(", 28 architectures, 1 sample valid\n")


def test_validate_reports_one_error_line_and_exit_1(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(USER_SPACE.replace('"stm"]', '"stn"]'))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: [block] token_mixer 'stn' is not allowed; choose "
                             "from ssa, qk_token, qk_channel, stm, emsa, conv, sdsa\n")


def test_unknown_space_is_an_error_line():
    result = run("show", "spikformr")
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown space 'spikformr'; did you mean 'spikformer'")
