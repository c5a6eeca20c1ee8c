"""``autost models list`` and ``autost models show``: tables, JSON, errors, help."""

import json

import pytest
from click.testing import CliRunner

from autost.arch import ArchConfig
from autost.cli import main
from autost.models import list_presets


def _run(*args: str):
    return CliRunner().invoke(main, ["models", *args])


def test_list_prints_every_preset_with_its_count():
    result = _run("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "family", "dataset", "params", "published"]
    assert len(lines) == 2 + len(list_presets())
    row = next(line for line in lines if line.startswith("qkformer-hst-4-384 "))
    assert row.split() == ["qkformer-hst-4-384", "qkformer", "CIFAR10", "6,706,234", "6,706,234"]
    row = next(line for line in lines if line.startswith("spikformer-4-384 "))
    assert row.split() == ["spikformer-4-384", "spikformer", "CIFAR10", "9,324,730", "9.32", "M"]


def test_list_json_is_parseable_and_complete():
    result = _run("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == [p.name for p in list_presets()]
    by_name = {r["name"]: r for r in rows}
    assert by_name["stmixer-4-384-16"]["params"] == 8_223_674
    assert by_name["qkformer-hst-10-768"]["exact_params"] == 64_962_760
    assert set(by_name["spikformer-8-768"]) >= {"name", "family", "dataset", "params", "arch_id"}


def test_show_prints_config_json_and_module_table():
    result = _run("show", "stmixer-4-384-16")
    assert result.exit_code == 0, result.output
    assert '"patch_splitter": "ipsps"' in result.output
    assert "blocks.3.channel_mixer" in result.output
    assert result.output.rstrip().splitlines()[-1].split() == ["total", "8,223,674"]


def test_show_json_round_trips_the_config():
    result = _run("show", "qkformer-hst-4-384-cifar100", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    cfg = ArchConfig.from_dict(data["config"])
    assert cfg.arch_id == data["arch_id"]
    assert data["params"] == 6_740_884 == sum(m["params"] for m in data["modules"])
    assert [m["module"] for m in data["modules"]][:3] == [
        "patch_embed", "blocks.0.token_mixer", "blocks.0.channel_mixer"]


@pytest.mark.parametrize("command", ["show", "show --json"])
def test_unknown_preset_is_one_error_line(command):
    result = _run(*command.split(), "spikformr-4-384")
    assert result.exit_code == 2
    assert result.output == (
        "Error: unknown preset 'spikformr-4-384'; did you mean 'spikformer-4-384', "
        "'spikformer-8-384', 'spikformer-2-384'?\n"
    )


@pytest.mark.parametrize("args", [["--help"], ["list", "--help"], ["show", "--help"]])
def test_help(args):
    result = _run(*args)
    assert result.exit_code == 0 and "Usage:" in result.output


def test_show_without_name_is_a_usage_error():
    assert _run("show").exit_code == 2
