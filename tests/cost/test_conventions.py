"""Energy conventions: the published tables reproduced from the published counts, each
convention's formula on a hand-counted model, and the errors."""

import pytest
from torch import nn

from autost.cost import count_costs
from autost.cost.conventions import (
    CONVENTIONS,
    PUBLISHED,
    convention_energy,
    energy_from_published_ops,
    get_convention,
)
from autost.exceptions import CostModelError
from autost.models import get_preset


def _cost(entry):
    cfg = get_preset(entry.preset).replace(timesteps=entry.timesteps,
                                           input_size=entry.input_size)
    return count_costs(cfg), cfg


@pytest.mark.parametrize("entry", [p for p in PUBLISHED if p.sops_g is not None],
                         ids=lambda p: p.model)
def test_published_counts_reproduce_the_published_energy(entry):
    cost, cfg = _cost(entry)
    energy = energy_from_published_ops(entry, cost, cfg.in_channels).energy_mj
    assert energy == pytest.approx(entry.energy_mj, rel=0.05)
    assert energy == pytest.approx(entry.energy_mj, abs=0.001)  # in fact to the printed digit


def test_spikformer_first_layer_is_a_3_to_64_conv_over_t_for_every_width():
    # Spikformer-8-384: 4.6 pJ x 4 x (9 x 3 x 64 x 224^2) + 0.9 pJ x 6.82 G = 7.7335 mJ
    entry = PUBLISHED[0]
    cost, cfg = _cost(entry)
    energy = energy_from_published_ops(entry, cost, cfg.in_channels)
    assert energy.dense_macs == 4 * 9 * 3 * 64 * 224**2 == 346_816_512
    assert energy.energy_mj == pytest.approx((4.6 * 346_816_512 + 0.9 * 6.82e9) / 1e9)


class _TwoLayers(nn.Module):
    """An encoding conv 1 -> 2 (3x3, 4x4 image) and a linear 32 -> 3 on its spikes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1, bias=False)
        self.fc = nn.Linear(32, 3, bias=False)

    def encoding_layers(self):
        return [self.conv]

    def forward(self, x):
        t, b = x.shape[:2]
        y = self.conv(x.flatten(0, 1))
        return self.fc(y.flatten(1)).reshape(t, b, -1)


@pytest.mark.parametrize(("name", "dense"), [
    ("autost", 2 * 9 * 2 * 16), ("qkformer", 9 * 2 * 16), ("sdt", 9 * 2 * 16),
    ("stmixer", 2 * 9 * 2 * 16), ("spikformer", 2 * 9 * 1 * 64 * 16),
])
def test_each_convention_on_a_hand_counted_model(name, dense):
    # T = 2; conv: 9 x 1 x 2 x 16 = 288 MACs per step; fc: 32 x 3 = 96 MACs per step,
    # 192 over T, at rate 0.25: 48 SOPs for every convention
    cost = count_costs(_TwoLayers(), timesteps=2, sample_shape=(1, 4, 4))
    energy = convention_energy(get_convention(name), cost, {"fc": 0.25}, in_channels=1,
                               input_size=4)
    assert (energy.dense_macs, energy.sops) == (dense, 48)
    assert energy.energy_mj == pytest.approx((4.6 * dense + 0.9 * 48) / 1e9)


def test_unknown_convention_names_the_known_ones():
    with pytest.raises(CostModelError) as err:
        get_convention("spikeformer")
    assert str(err.value) == ("unknown energy convention 'spikeformer'; known conventions: "
                              "autost, spikformer, qkformer, sdt, stmixer")


def test_a_paper_without_published_counts_says_so():
    entry = next(p for p in PUBLISHED if p.preset == "qkformer-hst-10-384")
    cost, cfg = _cost(entry)
    with pytest.raises(CostModelError) as err:
        energy_from_published_ops(entry, cost, cfg.in_channels)
    assert str(err.value) == (
        "QKFormer (Zhou et al., NeurIPS 2024), appendix 6.6 printed no operation count for "
        "QKFormer HST-10-384 (it printed none); drop --published-ops to use autost's counts")


def test_every_published_pair_names_a_preset_and_a_convention():
    for entry in PUBLISHED:
        assert entry.convention in CONVENTIONS
        cost, _ = _cost(entry)
        assert cost.timesteps == entry.timesteps
