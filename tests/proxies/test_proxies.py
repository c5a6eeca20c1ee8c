"""Proxy registry conformance, score_architecture's laziness, determinism and settings."""

import json
import math
import pickle

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.cost import count
from autost.exceptions import (
    ArchValidationError,
    CalibrationError,
    DatasetError,
    UnknownNameError,
)
from autost.proxies import (
    Proxy,
    ScoreResult,
    ScoreSettings,
    evaluate,
    get_proxy,
    list_proxies,
    score_architecture,
)

TINY = ArchConfig(blocks=(BlockConfig("ssa", heads=2, mlp_ratio=2.0),
                          BlockConfig("stm", heads=2, mlp_ratio=2.0)),
                  embed_dim=32, input_size=16, timesteps=2)
ALWAYS = {"params", "macs_per_step", "macs_total", "elementwise_ops_total"}


def test_registry_lists_the_eleven_proxies():
    assert list_proxies() == ["params", "flops", "sops", "energy", "breakeven_rate", "synflow",
                              "snip", "grad_norm", "zico", "sahd", "naswot"]


@pytest.mark.parametrize("name", list_proxies())
def test_proxy_conforms_to_the_contract(name):
    proxy = get_proxy(name)
    assert isinstance(proxy, Proxy) and proxy.name == name
    assert proxy.direction in ("max", "min")
    assert isinstance(proxy.unit, str)
    assert isinstance(proxy.needs_data, bool) and proxy.deterministic is True
    assert proxy.needs_rate_pass(ScoreSettings()) == (name in ("sops", "energy", "sahd",
                                                                "naswot"))
    assert proxy.needs_data == (name not in ("params", "flops", "breakeven_rate", "synflow"))
    result = score_architecture(TINY, [name], ScoreSettings(rates="prior", batch_size=4))
    value = result.values[name]
    assert isinstance(value, float) and not math.isnan(value)
    assert ALWAYS <= set(result.values)


def test_unknown_proxy_suggests_names():
    with pytest.raises(UnknownNameError, match="unknown proxy 'sahdd'; did you mean 'sahd'"):
        get_proxy("sahdd")


@pytest.fixture
def no_data(monkeypatch):
    """Make any rate pass or calibration load fail the test."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a proxy without data ran the rate pass")

    monkeypatch.setattr(evaluate, "measure_rates", forbidden)
    monkeypatch.setattr(evaluate, "_calibration_sample", forbidden)


def test_cost_proxies_touch_no_data_and_build_nothing_real(no_data, monkeypatch):
    from autost.models import builder

    devices = []

    def recording(build):
        def wrapped(*args, **kwargs):
            part = build(*args, **kwargs)
            devices.extend({p.device.type for p in part.parameters()})
            return part

        return wrapped

    for name in ("build_splitter", "build_downsample", "build_block", "build_head"):
        monkeypatch.setattr(builder, name, recording(getattr(builder, name)))
    count.cache_clear()
    result = score_architecture(TINY, ["params", "flops"], ScoreSettings())
    assert set(devices) == {"meta"}
    assert result.rate_source == "none" and result.flags == []
    assert result.values["flops"] == result.values["macs_total"]
    assert all("rate" not in row for row in result.layers)
    prior = score_architecture(TINY, ["sops", "energy"], ScoreSettings(rates="prior"))
    assert prior.rate_source == "prior" and prior.values["energy"] > 0


@pytest.mark.parametrize("rates", ["prior", "init"])
def test_a_proxy_that_runs_no_model_builds_only_on_the_meta_device(rates, no_data, monkeypatch):
    """runs_model is what ``autost score --rates prior`` picks its default proxies by: each
    proxy that says False computes without a real model, and the others do build one."""
    settings = ScoreSettings(rates=rates)
    monkeypatch.setattr(evaluate.ScoringContext, "_model", property(_no_real_model))
    cost_only = [p for p in list_proxies() if not get_proxy(p).runs_model(settings)]
    assert cost_only == (["params", "flops", "sops", "energy", "breakeven_rate"]
                         if rates == "prior" else ["params", "flops", "breakeven_rate"])
    seconds = {}
    result = score_architecture(TINY, cost_only, settings, seconds)
    assert set(cost_only) <= set(result.values)
    assert list(seconds) == ["cost pass", *cost_only] and min(seconds.values()) >= 0
    for name in set(list_proxies()) - set(cost_only):
        with pytest.raises(AssertionError, match="a real model was built|ran the rate pass"):
            score_architecture(TINY, [name], settings)


def _no_real_model(self):
    raise AssertionError("a real model was built")


def test_same_architecture_seed_and_batch_give_identical_values():
    settings = ScoreSettings(batch_size=4)
    a = score_architecture(TINY, list_proxies(), settings)
    b = score_architecture(TINY, list_proxies(), settings)
    assert {k: v.hex() for k, v in a.values.items()} == {k: v.hex() for k, v in b.values.items()}
    assert a.layers == b.layers and a.rate_source == "init"
    other = score_architecture(TINY, ["sahd"], ScoreSettings(batch_size=4, seed=1))
    assert other.values["sahd"] != a.values["sahd"]


def test_result_is_picklable_and_json_able():
    result = score_architecture(TINY, list_proxies(), ScoreSettings(batch_size=4))
    assert isinstance(result, ScoreResult) and result.arch_id == TINY.arch_id
    assert pickle.loads(pickle.dumps(result)) == result
    rows = json.loads(json.dumps(result.to_dict()))["layers"]
    energy = [row for row in rows if "energy_share" in row]
    assert sum(row["energy_share"] for row in energy) == pytest.approx(1.0)
    assert all(0 <= row["input_rate"] <= 1 for row in energy)


def test_settings_key_and_validation():
    assert ScoreSettings().key() == "cost3/init/digits/b16/s0/mac4.6/ac0.9"
    assert ScoreSettings(e_mac_pj=5).key() == ScoreSettings(e_mac_pj=5.0).key()
    assert pickle.loads(pickle.dumps(ScoreSettings())) == ScoreSettings()
    with pytest.raises(UnknownNameError, match="unknown rate source 'trained'"):
        ScoreSettings(rates="trained")
    with pytest.raises(CalibrationError, match="batch_size 1 is invalid"):
        ScoreSettings(batch_size=1)


def test_the_energy_model_keys_its_own_score_sets():
    """The compute model keeps the keys stored score sets have; the memory model's name its
    hardware and weight reuse, so no cached score is reused across models."""
    default = "cost3/init/digits/b16/s0/mac4.6/ac0.9"
    assert ScoreSettings(energy_model="compute", hardware="yan-typical",
                         weight_reuse="per-step").key() == default
    assert ScoreSettings(energy_model="memory").key() == default + "/memory-horowitz45-stationary"
    assert ScoreSettings(energy_model="memory", hardware="yan-typical",
                         weight_reuse="per-step").key() == (
        default + "/memory-yan-typical-per-step")
    with pytest.raises(UnknownNameError,
                       match="^unknown energy model 'joules'; known energy models: compute, "
                             "memory$"):
        ScoreSettings(energy_model="joules")
    with pytest.raises(UnknownNameError, match="^unknown weight reuse 'never'"):
        ScoreSettings(weight_reuse="never")


def test_energy_under_the_memory_model_adds_data_movement():
    compute = score_architecture(TINY, ["energy", "breakeven_rate"],
                                 ScoreSettings(rates="prior"))
    memory = score_architecture(TINY, ["energy", "breakeven_rate"],
                                ScoreSettings(rates="prior", energy_model="memory"))
    rows = [row for row in memory.layers if "movement_pj" in row]
    assert memory.values["energy"] == pytest.approx(
        sum(row["compute_pj"] + row["movement_pj"] for row in rows) / 1e9)
    assert sum(row["compute_pj"] for row in rows) / 1e9 == pytest.approx(
        compute.values["energy"])
    assert not any("movement_pj" in row for row in compute.layers)
    assert memory.values["breakeven_rate"] < compute.values["breakeven_rate"]


def test_unbuildable_architecture_and_bad_dataset_raise_autost_errors():
    with pytest.raises(ArchValidationError, match="heads"):
        score_architecture(TINY.replace(blocks=(BlockConfig("ssa", heads=5),)), ["params"],
                           ScoreSettings())
    with pytest.raises(DatasetError):
        score_architecture(TINY, ["sahd"], ScoreSettings(dataset="nope"))


def test_registry_and_settings_import_without_torch():
    import subprocess
    import sys

    code = ("import sys; from autost.proxies import get_proxy, ScoreSettings; "
            "get_proxy('sahd'); ScoreSettings().key(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_every_pass_starts_from_the_model_as_built():
    # Random spike masks draw a fresh mask per call: a gradient proxy must give the same
    # value alone and after the rate pass (and synflow after the gradient pass).
    masked = TINY.replace(mask_ratio=0.25)
    settings = ScoreSettings(batch_size=4)
    together = score_architecture(masked, ["sahd", "zico", "snip", "synflow"], settings)
    for name in ("zico", "snip", "synflow"):
        alone = score_architecture(masked, [name], settings)
        assert alone.values[name].hex() == together.values[name].hex()
    assert math.isfinite(together.values["zico"]) and together.values["snip"] > 0


def test_calibration_data_is_the_named_dataset_in_the_named_folder(tmp_path):
    import hashlib

    settings = ScoreSettings(dataset="fashion-mnist", data_dir=str(tmp_path))
    digest = hashlib.sha256(str(tmp_path.resolve()).encode()).hexdigest()[:12]
    assert settings.key() == f"cost3/init/fashion-mnist/b16/s0/mac4.6/ac0.9/dir{digest}"
    with pytest.raises(DatasetError, match=str(tmp_path)):
        score_architecture(TINY, ["zico"], settings)
    digits = score_architecture(TINY, ["zico", "sahd"], ScoreSettings(batch_size=4))
    synthetic = score_architecture(TINY, ["zico", "sahd"],
                                   ScoreSettings(dataset="synthetic", batch_size=4))
    assert digits.values["zico"] != synthetic.values["zico"]
    assert digits.values["sahd"] != synthetic.values["sahd"]
