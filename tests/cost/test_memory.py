"""Memory-aware energy: Yan et al.'s break-even, hand-computed layers, the twin and its rate."""

import pytest
from torch import nn

from autost.cost import count_costs, estimate_energy, prior_rates
from autost.cost.hardware import (
    DRAM_PJ,
    HARDWARE,
    YAN_BREAKEVEN_FAN_IN,
    YAN_BREAKEVEN_RATES,
    YAN_BREAKEVEN_TIMESTEPS,
    get_hardware,
    twin_bits,
)
from autost.cost.memory import LayerTraffic, layer_traffic, memory_energy, yan_breakeven_rate
from autost.exceptions import UnknownNameError
from autost.layers.neuron import LIF
from autost.models import get_preset

YAN = get_hardware("yan-typical")
H45 = get_hardware("horowitz45")


def _energy(traffic, rates, hw, timesteps, reuse="stationary", movement=True):
    return memory_energy(traffic, rates, hw, timesteps=timesteps, weight_reuse=reuse,
                         e_ac_pj=0.9, e_mac_pj=4.6, movement=movement)


def test_yan_breakeven_is_reproduced_within_one_point():
    """T = 5, fan-in 4096, 4-bit weights kept over the steps, typical neuromorphic hardware:
    the paper gives 6.4 % (versions 2-3) and 5.7 % (version 4)."""
    rate = yan_breakeven_rate()
    for published in YAN_BREAKEVEN_RATES:
        assert abs(rate - published) <= 0.01
    assert rate == pytest.approx(0.0594, abs=5e-4)
    n, t = YAN_BREAKEVEN_FAN_IN, YAN_BREAKEVEN_TIMESTEPS
    by_hand = 3 * (0.25 + 0.05448) / (t * (3.0 + 0.05448))  # per synapse, weights cancel
    potentials = 2 * t * n * 16 * (10 / 64) / (n * n * t * (3.0 + 0.05448))
    assert rate == pytest.approx(by_hand - potentials, rel=1e-9)
    assert yan_breakeven_rate("per-step") < 0  # 8 MB of weights read 5 times: never


@pytest.mark.parametrize(("timesteps", "bits"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3),
                                                 (7, 3), (8, 4), (15, 4), (16, 5)])
def test_twin_bits_hold_a_spike_count(timesteps, bits):
    assert twin_bits(timesteps) == bits


def test_memory_levels_follow_horowitz_sizes():
    assert H45.pj_per_bit(8 * 8 * 1024) == 10 / 64
    assert H45.pj_per_bit(8 * 8 * 1024 + 1) == 20 / 64
    assert H45.pj_per_bit(8 * 1024 * 1024) == 100 / 64
    assert H45.pj_per_bit(8 * 1024 * 1024 + 1) == DRAM_PJ / 64


def test_a_layer_by_hand():
    """Linear 10 -> 20 at T = 4 (twin: 3 bits), 20 neurons after it, rate 0.25, 45 nm."""
    layer = LayerTraffic("fc", False, 200, 4, 220, 10, 0, 20)
    report = _energy((layer,), {"fc": 0.25}, H45, 4)
    row = report.layers[0]
    per_bit = 10 / 64  # every tensor here fits the 8 KB SRAM
    weights = 220 * 32 * per_bit
    potentials = 2 * 4 * 20 * 32 * per_bit
    spikes = 0.25 * 800 * per_bit
    assert row.compute_pj == pytest.approx(0.9 * 0.25 * 800)
    assert row.movement_pj == pytest.approx(weights + potentials + spikes)
    assert row.twin_pj == pytest.approx(3 * 0.9 * 200 + weights + 200 * 3 * per_bit)
    per_step = _energy((layer,), {"fc": 0.25}, H45, 4, reuse="per-step").layers[0]
    assert per_step.movement_pj == pytest.approx(row.movement_pj + 3 * weights)
    assert per_step.twin_pj == row.twin_pj


def test_a_spike_product_stores_its_second_operand():
    layer = LayerTraffic("qk", False, 64, 2, 0, 16, 32, 0)
    row = _energy((layer,), {"qk": 0.5}, YAN, 2).layers[0]
    per_bit = 10 / 64
    assert row.movement_pj == pytest.approx(2 * 32 * per_bit + 0.5 * 128 * 3.0)
    assert row.twin_pj == pytest.approx(2 * 0.05448 * 64 + 2 * 32 * per_bit + 64 * 2 * 0.25)


def test_the_breakeven_rate_equalizes_the_two_networks():
    cfg = get_preset("spikformer-2-384")
    traffic = layer_traffic(count_costs(cfg))
    for hw in HARDWARE.values():
        for reuse in ("stationary", "per-step"):
            rate = _energy(traffic, None, hw, cfg.timesteps, reuse).breakeven_rate
            uniform = {layer.name: rate for layer in traffic}
            at = _energy(traffic, uniform, hw, cfg.timesteps, reuse)
            assert at.energy_mj == pytest.approx(at.twin_mj, rel=1e-9)
            assert at.mean_rate == pytest.approx(rate)


def test_without_encoding_layers_the_compute_breakeven_is_bits_over_t():
    layers = (LayerTraffic("a", False, 100, 4, 10, 10, 0, 10),
              LayerTraffic("b", False, 30, 4, 0, 5, 6, 0))
    assert _energy(layers, None, H45, 4, movement=False).breakeven_rate == pytest.approx(0.75)


def test_the_memory_model_adds_movement_to_the_compute_convention():
    cfg = get_preset("spikformer-2-384")
    cost = count_costs(cfg)
    rates = prior_rates(cost)
    compute = estimate_energy(cost, rates, rate_source="prior")
    memory = _energy(layer_traffic(cost), rates, H45, cfg.timesteps)
    assert memory.compute_mj == pytest.approx(compute.energy_mj, rel=1e-12)
    assert memory.movement_mj > memory.compute_mj
    assert memory.energy_mj == pytest.approx(memory.compute_mj + memory.movement_mj)


def test_traffic_charges_each_lif_to_the_mac_layer_before_it():
    model = nn.Sequential(nn.Linear(6, 8), LIF(), nn.Linear(8, 3), LIF())
    cost = count_costs(model, timesteps=2, sample_shape=(4, 6))
    traffic = layer_traffic(cost)
    assert [(t.name, t.neurons, t.input_elements, t.params) for t in traffic] == [
        ("0", 32, 24, 56), ("2", 12, 32, 27)]
    assert [t.encoding for t in traffic] == [True, False]


def test_unknown_hardware_names_the_known_sets():
    with pytest.raises(UnknownNameError,
                       match="unknown hardware set 'tpu'; known hardware sets: horowitz45, "
                             "yan-typical"):
        get_hardware("tpu")
