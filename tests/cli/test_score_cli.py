"""``autost score``: table and JSON output, exit codes and the one-line errors."""

import json
import math

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.proxies import list_proxies

ALL_PROXIES = list_proxies()

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
                                       "--proxies", ",".join(ALL_PROXIES), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rate_source"] == "prior" and data["timesteps"] == 2
    assert data["values"]["macs_total"] == 2 * data["values"]["macs_per_step"]
    assert set(data["values"]) >= set(ALL_PROXIES)
    assert data["settings"]["rates"] == "prior" and data["layers"]
    assert list(data["seconds"]) == ["cost pass", *ALL_PROXIES]


def test_rates_prior_alone_computes_the_cost_only_proxies_and_times_each(arch_file):
    """A stored candidate scored again with --rates prior took a minute at full size for
    the gradient and spike proxies nobody asked for; now it runs no model."""
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior"])
    assert result.exit_code == 0, result.output
    cost_only = ["params", "flops", "sops", "energy", "breakeven_rate"]
    assert set(ALL_PROXIES) - set(cost_only) == {"synflow", "snip", "grad_norm", "zico",
                                                 "sahd", "naswot"}
    assert not any(line.startswith(("naswot ", "synflow ", "zico "))
                   for line in result.stdout.splitlines())
    first, timing = result.stderr.splitlines()
    assert first.endswith(f"by {', '.join(cost_only)}")
    steps = [part.rsplit(" ", 1) for part in timing.removeprefix("seconds: ").split(", ")]
    assert [name for name, _ in steps] == ["cost pass", *cost_only]
    assert all(float(s) >= 0 for _, s in steps)
    asked = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior",
                                      "--proxies", "naswot", "--json"])
    assert set(json.loads(asked.stdout)["seconds"]) == {"cost pass", "naswot"}


@pytest.mark.parametrize("content, message", [
    ({**TINY, "embed_dim": 30}, "Error: {path}: embed_dim 30 is invalid: must be divisible by 8"),
    ({**TINY, "depth": 3}, "Error: {path}: unknown ArchConfig field(s) depth; known fields:"),
    ("{not json", "Error: {path}: architecture is not valid JSON: Expecting property name"),
    ({**TINY, "tau": float("nan")}, "Error: {path}: tau nan is invalid: must be a finite number"),
    ({**TINY, "v_threshold": float("inf")},
     "Error: {path}: v_threshold inf is invalid: must be a finite number"),
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
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown preset 'spikformer-4-385'; did you mean")
    result = runner.invoke(main, ["score", "--arch", arch_file, "--dataset", "mnist"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: unknown dataset 'mnist'")


@pytest.mark.parametrize("args", [[], ["--preset", "spikformer-4-384", "--arch", "x.json"]])
def test_exactly_one_source_is_a_usage_error(args):
    result = CliRunner().invoke(main, ["score", *args])
    assert result.exit_code == 2
    assert ("give exactly one of --preset NAME, --arch FILE.json or --arch-id ID"
            in result.output)


def test_json_writes_infinite_scores_as_null(arch_file, monkeypatch):
    import autost.proxies
    from autost.proxies import ScoreResult

    def silent(cfg, proxies, settings, seconds):
        values = dict.fromkeys(["params", "macs_per_step", "macs_total",
                                "elementwise_ops_total", *proxies], 1.0)
        return ScoreResult(cfg.arch_id, {**values, "sahd": -math.inf}, "init", [], [])

    monkeypatch.setattr(autost.proxies, "score_architecture", silent)
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["values"]["sahd"] is None  # as every JSON autost prints


def test_proxies_chooses_what_is_computed(arch_file):
    """flops and energy with prior rates need no forward pass: no measured input rates."""
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior",
                                       "--proxies", "flops, energy", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["values"]) == {"params", "macs_per_step", "macs_total",
                                   "elementwise_ops_total", "flops", "energy"}
    assert data["values"]["flops"] == data["values"]["macs_total"]
    assert data["rate_source"] == "prior" and data["flags"] == []
    assert not any("input_rate" in row for row in data["layers"])
    table = CliRunner().invoke(main, ["score", "--arch", arch_file, "--proxies",
                                      "params"]).stdout
    assert "rates: none (no chosen proxy needs firing rates)" in table
    totals = [line.split()[0] for line in table.splitlines()[-4:]]
    assert totals == ["params", "macs_per_step", "macs_total", "elementwise_ops_total"]


@pytest.mark.parametrize(("value", "message"), [
    ("flops,flop", "unknown proxy 'flop'; did you mean 'flops', 'synflow', 'sops'?"),
    (" , ", "give proxy names separated by commas, e.g. flops,energy"),
])
def test_unknown_proxy_is_misuse(arch_file, value, message):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--proxies", value])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--proxies': {message}"


def test_arch_id_scores_a_stored_candidate(scored_study):
    storage, info = scored_study
    arch_id = info["arch_ids"][4]
    result = CliRunner().invoke(main, ["score", "--arch-id", arch_id[:10], "--storage",
                                       storage.url, "--rates", "prior", "--proxies", "flops",
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["arch_id"] == arch_id and data["name"] == arch_id[:12]
    assert data["config"] == storage.get_candidate(arch_id).to_dict()


def test_unknown_arch_id_and_storage_without_it(scored_study, arch_file):
    storage, _ = scored_study
    result = CliRunner().invoke(main, ["score", "--arch-id", "ffff0", "--storage", storage.url])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: no candidate with arch_id 'ffff0' in {storage.masked_url}; copy an id from "
        "`autost results top --study NAME`"]
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--storage", storage.url])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: --storage is read only with --arch-id ID or --predictor NAME")


def _score_json(args, **kwargs) -> dict:
    result = CliRunner().invoke(main, ["score", *args, "--rates", "prior", "--proxies",
                                       "params", "--json"], **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_arch_takes_what_models_show_and_results_show_print(tmp_path, scored_study):
    shown = CliRunner().invoke(main, ["models", "show", "spikformer-4-256", "--json"]).stdout
    path = tmp_path / "shown.json"
    path.write_text(shown)
    preset = json.loads(shown)
    assert _score_json(["--arch", str(path)])["arch_id"] == preset["arch_id"]
    assert _score_json(["--arch", "-"], input=shown)["arch_id"] == preset["arch_id"]
    storage, info = scored_study
    stored = CliRunner().invoke(main, ["results", "show", info["arch_ids"][2], "--storage",
                                       storage.url, "--json"]).stdout
    path.write_text(stored)
    assert _score_json(["--arch", str(path)])["arch_id"] == info["arch_ids"][2]
    again = _score_json(["--arch", "-"], input=json.dumps(_score_json(["--arch", str(path)])))
    assert again["arch_id"] == info["arch_ids"][2]


@pytest.mark.parametrize("content", ['{"name": "x", "arch_id": "ab"}', "[1, 2]"])
def test_json_without_an_architecture_is_one_error_line(tmp_path, content):
    path = tmp_path / "other.json"
    path.write_text(content)
    result = CliRunner().invoke(main, ["score", "--arch", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {path}: no architecture in this JSON; give ArchConfig fields (with "
        "\"blocks\") or what `autost models show --json` or `autost results show --json` "
        "print"]


def test_stmixer_preset_with_its_own_neuron_has_no_silent_layer(tmp_path):
    """STMixer's neuron (mem = mem / 2 + x) keeps every layer firing at initialization;
    the same network with Spikformer's neuron (input halved) has silent layers."""
    from autost.models.presets import get_preset

    runner = CliRunner()
    result = runner.invoke(main, ["score", "--preset", "stmixer-4-384-16", "--rates", "init"])
    assert result.exit_code == 0, result.output
    assert "silent" not in result.stdout
    spikformer_neuron = get_preset("stmixer-4-384-16").replace(
        decay_input=True, surrogate="sigmoid", surrogate_alpha=4.0, detach_reset=True)
    path = tmp_path / "halved.json"
    path.write_text(spikformer_neuron.to_json())
    result = runner.invoke(main, ["score", "--arch", str(path), "--rates", "init", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["flags"] == [
        f"silent: blocks.{i}.token_mixer.out_lif fired no spike on the calibration batch"
        for i in range(3)]


def test_spikformer_convention_with_published_ops_reproduces_table_2():
    """4.6 pJ x 4 x (9 x 3 x 64 x 224^2) + 0.9 pJ x 6.82 G = 7.733 mJ; printed 7.734."""
    result = CliRunner().invoke(main, [
        "score", "--preset", "spikformer-8-384", "--rates", "prior", "--energy-convention",
        "spikformer", "--published-ops", "--json"])
    assert result.exit_code == 0, result.output
    c = json.loads(result.stdout)["energy_convention"]
    assert (c["convention"], c["counts"], c["dense_macs"], c["sops"]) == (
        "spikformer", "published", 346_816_512, 6.82e9)
    assert c["energy_mj"] == pytest.approx(7.733356, abs=1e-6)
    assert c["published_mj"] == 7.734
    assert c["published_source"] == "Spikformer, ICLR 2023, Table 2 (camera-ready)"


def test_default_convention_equals_the_energy_proxy(arch_file):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior",
                                       "--energy-convention", "autost"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    energy = next(line for line in lines if line.startswith("energy_mj ")).split()[1]
    convention = next(line for line in lines if line.startswith("energy_mj (autost)"))
    assert convention.split()[2] == energy


@pytest.mark.parametrize("args, message", [
    (["--preset", "spikformer-8-384", "--energy-convention", "spikeformer"],
     "Error: unknown energy convention 'spikeformer'; known conventions: autost, spikformer, "
     "qkformer, sdt, stmixer"),
    (["--preset", "qkformer-hst-10-384", "--energy-convention", "qkformer", "--published-ops"],
     "Error: QKFormer (Zhou et al., NeurIPS 2024), appendix 6.6 printed no operation count "
     "for QKFormer HST-10-384 (it printed none); drop --published-ops to use autost's counts"),
    (["--preset", "spikformer-4-384", "--energy-convention", "spikformer", "--published-ops"],
     "Error: Spikformer (Zhou et al., ICLR 2023), appendix C.2 and Table 2 published no "
     "energy for spikformer-4-384 at T = 4, input 32; --published-ops needs a preset of its "
     "table: spikformer-10-512, spikformer-6-512, spikformer-8-384, spikformer-8-512, "
     "spikformer-8-768"),
])
def test_convention_errors_are_one_line_before_any_scoring(args, message):
    result = CliRunner().invoke(main, ["score", *args])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [message]


def test_published_ops_needs_a_convention():
    result = CliRunner().invoke(main, ["score", "--preset", "spikformer-8-384",
                                       "--published-ops"])
    assert result.exit_code == 2
    assert "--published-ops needs --energy-convention PAPER" in result.output


def test_memory_model_shows_compute_and_movement_side_by_side(arch_file):
    args = ["score", "--arch", arch_file, "--rates", "prior", "--proxies", "energy",
            "--energy-model", "memory"]
    out = CliRunner().invoke(main, args).stdout
    header = next(line for line in out.splitlines() if line.startswith("layer"))
    assert header.split()[-6:] == ["compute", "uJ", "movement", "uJ", "twin", "uJ"]
    assert "(memory model, hardware horowitz45, weights stationary: compute" in out
    assert any(line.startswith("twin_energy_mj ") for line in out.splitlines())
    result = CliRunner().invoke(main, [*args, "--proxies", "energy,breakeven_rate",
                                       "--hardware", "yan-typical", "--json"])
    data = json.loads(result.stdout)
    memory = data["memory_energy"]
    assert data["settings"]["energy_model"] == "memory"
    assert data["settings"]["hardware"] == "yan-typical"
    assert data["values"]["energy"] == pytest.approx(memory["compute_mj"]
                                                     + memory["movement_mj"])
    assert 0 < memory["mean_rate"] < 1 and memory["twin_mj"] > 0
    assert "breakeven_rate" in data["values"]


def test_compute_model_json_has_no_memory_block(arch_file):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, "--rates", "prior",
                                       "--proxies", "energy", "--json"])
    assert "memory_energy" not in json.loads(result.stdout)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--energy-model", "joules",
     "unknown energy model 'joules'; known energy models: compute, memory"),
    ("--energy-model", "memroy", "unknown energy model 'memroy'; did you mean 'memory'?"),
    ("--hardware", "tpu", "unknown hardware set 'tpu'; known hardware sets: horowitz45, "
                          "yan-typical"),
])
def test_unknown_energy_model_or_hardware_is_misuse(arch_file, option, value, message):
    result = CliRunner().invoke(main, ["score", "--arch", arch_file, option, value])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"
