"""SOPs and energy: all-ones inputs, a hand-computed two-layer network, prior rates."""

import pytest
import torch
from torch import nn

from autost.cost import (
    PRIOR_RATES,
    count_costs,
    estimate_energy,
    measure_rates,
    prior_rates,
)
from autost.exceptions import CostModelError
from autost.layers.ops import SpikeMatMul
from autost.layers.stm import TokenMixingLinear
from autost.models import get_preset, list_presets


class _Reader(nn.Module):
    """Every MAC layer reads the input [T, B, N, D] itself: an encoding Linear first."""

    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(6, 4)
        self.fc = nn.Linear(6, 5)
        self.mix = TokenMixingLinear(2, 3)
        self.matmul = SpikeMatMul()

    def forward(self, x):
        self.encode(x)
        self.mix(x)
        self.matmul(x, x.transpose(-1, -2))
        return self.fc(x)


def test_inputs_all_one_give_sops_equal_to_macs_times_t():
    model, x = _Reader(), torch.ones(3, 2, 3, 6)
    cost = count_costs(model, timesteps=3, sample_shape=(3, 6))
    rates = measure_rates(model, x).sop_rates()
    assert set(rates.values()) == {1.0}
    energy = estimate_energy(cost, rates, rate_source="init")
    synaptic = [layer for layer in cost.mac_layers if not layer.encoding]
    assert [layer.name for layer in synaptic] == ["mix", "matmul", "fc"]
    assert energy.sops == sum(3 * layer.macs_per_step for layer in synaptic)


def test_preset_with_every_rate_one_spends_macs_times_t():
    cost = count_costs("spikformer-2-384")
    energy = estimate_energy(cost, {layer.name: 1.0 for layer in cost.mac_layers},
                             rate_source="trained")
    encoding = 9 * 3 * 48 * 32**2
    assert energy.sops == 4 * (cost.macs_per_step - encoding)
    assert energy.energy_mj == pytest.approx(
        (4.6 * 4 * encoding + 0.9 * energy.sops) * 1e-9, rel=1e-12)


class _TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1, bias=False)
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        y = self.conv(x.flatten(0, 1)).flatten(1)
        return self.fc(y.reshape(x.shape[0], x.shape[1], -1))


def test_energy_of_a_two_layer_network_by_hand():
    cost = count_costs(_TwoLayers(), timesteps=2, sample_shape=(1, 4, 4))
    conv, fc = cost.mac_layers
    assert (conv.encoding, conv.macs_per_step) == (True, 2 * 16 * 9)
    assert (fc.encoding, fc.macs_per_step) == (False, 32 * 3)
    energy = estimate_energy(cost, {"fc": 0.25}, rate_source="prior", e_mac_pj=4.0,
                             e_ac_pj=1.0)
    # 288 MACs x 2 steps x 4 pJ + 0.25 x 96 MACs x 2 steps x 1 pJ = 2304 pJ + 48 pJ
    assert energy.sops == 48.0
    assert energy.energy_mj == pytest.approx(2352e-9, rel=1e-12)
    assert energy.share("conv") == pytest.approx(2304 / 2352)
    assert energy.rate_source == "prior"
    default = estimate_energy(cost, {"fc": 0.25}, rate_source="init")
    assert default.energy_mj == pytest.approx((2 * 288 * 4.6 + 48 * 0.9) * 1e-9)


def test_missing_rate_or_unknown_source_is_an_error():
    cost = count_costs(_TwoLayers(), timesteps=2, sample_shape=(1, 4, 4))
    with pytest.raises(CostModelError, match="no trained firing rate for layer 'fc'"):
        estimate_energy(cost, {}, rate_source="trained")
    with pytest.raises(CostModelError, match="rate source 'guess' is not one of"):
        estimate_energy(cost, {"fc": 0.1}, rate_source="guess")


@pytest.mark.parametrize("name", [p.name for p in list_presets()])
def test_prior_rates_cover_every_synaptic_layer(name):
    cost = count_costs(get_preset(name))
    rates = prior_rates(cost)
    assert set(rates) == {layer.name for layer in cost.mac_layers if not layer.encoding}
    assert all(0 < r <= 1 for r in rates.values())
    assert {layer.role for layer in cost.mac_layers} <= set(PRIOR_RATES) | {"encoding"}


def test_roles_of_spikformer_layers():
    roles = {layer.name: layer.role for layer in count_costs("spikformer-2-384").mac_layers}
    assert roles["patch_embed.convs.0.conv"] == "encoding"
    assert roles["patch_embed.convs.1.conv"] == "patch"
    assert roles["blocks.0.token_mixer.q.linear"] == "block_input"
    assert roles["blocks.0.token_mixer.first_matmul"] == "attention_product"
    assert roles["blocks.0.token_mixer.proj.linear"] == "mixer_output"
    assert roles["blocks.0.channel_mixer.fc1.linear"] == "block_input"
    assert roles["blocks.0.channel_mixer.fc2.linear"] == "mlp_hidden"
    assert roles["head.fc"] == "head"
    stm = {layer.name: layer.role for layer in count_costs("stmixer-4-384-16").mac_layers}
    assert stm["blocks.0.token_mixer.stm"] == "token_mixing"
    assert stm["blocks.0.token_mixer.fc_out.linear"] == "mixer_output"
    assert {n for n, r in stm.items() if r == "encoding"} == {
        "patch_embed.convs.0.conv", "patch_embed.protect.conv"}


def test_branch_inputs_of_membrane_shortcut_blocks_have_their_own_role():
    """A SEW stream is a sum of spikes; a membrane-shortcut branch reads one LIF's spikes."""
    for preset, role in (("spikformer-8-384", "block_input"), ("sdt-8-384", "block_input_ms"),
                         ("stmixer-4-384-16", "block_input_ms")):
        roles = {layer.name: layer.role for layer in count_costs(preset).mac_layers}
        assert roles["blocks.3.channel_mixer.fc1.linear"] == role
        other = {"block_input": "block_input_ms", "block_input_ms": "block_input"}[role]
        assert other not in roles.values()
    sdt = {layer.name: layer.role for layer in count_costs("sdt-8-384").mac_layers}
    assert sdt["blocks.0.token_mixer.q.linear"] == "block_input_ms"
    assert sdt["patch_embed.rpe.conv"] == "patch", "MS_SPS's RPE conv reads spikes"
    assert [n for n, r in sdt.items() if r == "encoding"] == ["patch_embed.convs.0.conv"]


def test_sps_rpe_conv_reading_analog_values_is_charged_as_macs():
    """With ``ms`` residuals SPS's RPE conv reads the analog output of the last conv."""
    rpe = "patch_embed.rpe.conv"
    for residual, dense in (("ms", True), ("sew", False)):
        cost = count_costs(get_preset("spikformer-2-384").replace(residual=residual))
        energy = estimate_energy(cost, {layer.name: 0.5 for layer in cost.mac_layers},
                                 rate_source="trained")
        layer = next(lay for lay in energy.layers if lay.name == rpe)
        counted = next(lay for lay in cost.layers if lay.name == rpe)
        assert (counted.role == "encoding") == dense
        macs = counted.macs_total
        assert layer.energy_pj == pytest.approx(4.6 * macs if dense else 0.9 * 0.5 * macs)
