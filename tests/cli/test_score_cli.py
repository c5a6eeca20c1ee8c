"""``autost score``: table and JSON output, exit codes and the one-line errors."""

import json
import math

import pytest
from click.testing import CliRunner

from autost.cli import main

TINY = {"blocks": [{"token_mixer": "ssa", "heads": 2, "mlp_ratio": 2.0},
                   {"token_mixer": "qk_token", "heads": 2, "mlp_ratio": 2.0}],
        "embed_dim": 32, "input_size": 16, "timesteps": 2}


@pytest.fixture
def arch_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    return str(path)


def test_help():
    result = CliRunner().invoke(main, ["score", "--help"])
    assert result.exit_code == 0
    assert "--preset" in result.output and "--rates [init|prior]" in result.output


def test_table_names_the_macs_convention(arch_file):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "macs_per_step for one time step, macs_total = T x macs_per_step" in out
    assert "(T = 2)" in out and "rates: init, measured on 16 digits images" in out
    header = next(line for line in out.splitlines() if line.startswith("layer"))
    assert header.split() == ["layer", "kind", "output", "params", "macs_per_step", "input",
                              "rate", "SOPs", "energy", "%"]
    row = next(line for line in out.splitlines()
               if line.startswith("blocks.0.token_mixer.first_matmul "))
    assert row.split()[1:3] == ["SpikeMatMul", "2x16x16"]
    for total in ("params", "macs_total", "sops", "energy_mj", "synflow", "snip", "grad_norm",
                  "zico", "sahd", "naswot"):
        assert any(line.startswith(total + " ") for line in out.splitlines())


def test_json_output(arch_file):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior",
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rate_source"] == "prior" and data["timesteps"] == 2
    assert data["values"]["macs_total"] == 2 * data["values"]["macs_per_step"]
    assert set(data["values"]) >= {"params", "flops", "sops", "energy", "synflow", "snip",
                                   "grad_norm", "zico", "sahd", "naswot"}
    assert data["settings"]["rates"] == "prior" and data["layers"]


@pytest.mark.parametrize("content, message", [
    ({**TINY, "embed_dim": 30}, "Error: {path}: embed_dim 30 is invalid: must be divisible by 8"),
    ({**TINY, "depth": 3}, "Error: {path}: unknown ArchConfig field(s) depth; known fields:"),
    ("{not json", "Error: {path}: architecture is not valid JSON: Expecting property name"),
])
def test_bad_arch_file_is_one_error_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    result = CliRunner().invoke(main, ["score", "--arch", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.format(path=path))


def test_missing_file_unknown_preset_and_dataset(tmp_path, arch_file):
    runner = CliRunner()
    result = runner.invoke(main, ["score", "--arch", str(tmp_path / "none.json")])
    assert result.exit_code == 1 and "Error: cannot read architecture file" in result.output
    result = runner.invoke(main, ["score", "--preset", "spikformer-4-385"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown preset 'spikformer-4-385'; did you mean")
    result = runner.invoke(main, ["score", "--arch", arch_file, "--dataset", "mnist"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: unknown dataset 'mnist'")


@pytest.mark.parametrize("args", [[], ["--preset", "spikformer-4-384", "--arch", "x.json"]])
def test_exactly_one_source_is_a_usage_error(args):
    result = CliRunner().invoke(main, ["score", *args])
    assert result.exit_code == 2
    assert "give exactly one of --preset NAME or --arch FILE.json" in result.output


def test_json_writes_infinite_scores_as_strings(arch_file, monkeypatch):
    import autost.proxies
    from autost.proxies import ScoreResult

    def silent(cfg, proxies, settings):
        values = dict.fromkeys(["params", "macs_per_step", "macs_total",
                                "elementwise_ops_total", *proxies], 1.0)
        return ScoreResult(cfg.arch_id, {**values, "sahd": -math.inf}, "init", [], [])

    monkeypatch.setattr(autost.proxies, "score_architecture", silent)
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["values"]["sahd"] == "-inf"
