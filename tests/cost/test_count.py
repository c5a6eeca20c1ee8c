"""The cost pass: every module kind and every preset against fvcore, closed forms, errors."""

import dataclasses

import pytest
import torch
from torch import nn

from autost.cost import count_costs
from autost.cost.rules import RULES
from autost.exceptions import CostModelError
from autost.layers.linear_bn import TokenBatchNorm, TokenLinear
from autost.layers.neuron import LIF
from autost.layers.ops import Add, ElementwiseMul, Scale, SpikeMatMul, SumReduce
from autost.layers.stm import TokenMixingLinear
from autost.models import create_model, get_preset, list_presets

T = 3


class _Grid(nn.Module):
    """Applies ``layer`` to [T, B, C, H, W] with T folded into the batch."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        y = self.layer(x.flatten(0, 1))
        return y.reshape(x.shape[0], x.shape[1], *y.shape[1:])


class _Tokens(nn.Module):
    """Applies ``layer`` to [T, B, N, D] as it is, or to [T, B, D, N] for Conv1d/BN1d."""

    def __init__(self, layer, transpose=False):
        super().__init__()
        self.layer, self.transpose = layer, transpose

    def forward(self, x):
        if self.transpose:
            y = self.layer(x.flatten(0, 1).transpose(1, 2)).transpose(1, 2)
            return y.reshape(x.shape[0], x.shape[1], *y.shape[1:])
        return self.layer(x)


class _Pair(nn.Module):
    """A two-operand op on x and a transposed or sliced copy of x ([T, B, N, D])."""

    def __init__(self, layer, transpose):
        super().__init__()
        self.layer, self.transpose = layer, transpose

    def forward(self, x):
        return self.layer(x, x.transpose(-1, -2) if self.transpose else x[..., :1])


GRID = (4, 8, 8)
TOKENS = (16, 12)
# kind -> (model, sample shape, MACs per sample and step, element-wise ops per step)
CASES = {
    "conv2d": (lambda: _Grid(nn.Conv2d(4, 6, 3, stride=2, padding=1)), GRID,
               6 * 4 * 4 * 4 * 9, 6 * 4 * 4),
    "conv2d_depthwise": (lambda: _Grid(nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False)),
                         GRID, 4 * 8 * 8 * 9, 0),
    "conv1d": (lambda: _Tokens(nn.Conv1d(12, 5, 1), transpose=True), TOKENS, 16 * 5 * 12,
               16 * 5),
    "linear": (lambda: _Tokens(nn.Linear(12, 7)), TOKENS, 16 * 7 * 12, 16 * 7),
    "token_linear": (lambda: _Tokens(TokenLinear(12, 7)), TOKENS, 16 * 7 * 12, 16 * 7),
    "token_mixing": (lambda: _Tokens(TokenMixingLinear(3, 16)), TOKENS, 16 * 16 * 12, 0),
    "spike_matmul": (lambda: _Pair(SpikeMatMul(), transpose=True), TOKENS, 16 * 16 * 12, 0),
    "batchnorm2d": (lambda: _Grid(nn.BatchNorm2d(4)), GRID, 0, 2 * 4 * 8 * 8),
    "batchnorm1d": (lambda: _Tokens(nn.BatchNorm1d(12), transpose=True), TOKENS, 0,
                    2 * 16 * 12),
    "token_batchnorm": (lambda: _Tokens(TokenBatchNorm(12)), TOKENS, 0, 2 * 16 * 12),
    "maxpool": (lambda: _Grid(nn.MaxPool2d(3, 2, 1)), GRID, 0, 4 * 4 * 4 * 9),
    "lif": (lambda: _Tokens(LIF()), TOKENS, 0, 16 * 12),
    "elementwise_mul": (lambda: _Pair(ElementwiseMul(), transpose=False), TOKENS, 0, 16 * 12),
    "add": (lambda: _Pair(Add(), transpose=False), TOKENS, 0, 16 * 12),
    "scale": (lambda: _Tokens(Scale(0.5)), TOKENS, 0, 16 * 12),
    "sum_reduce": (lambda: _Tokens(SumReduce(dim=2)), TOKENS, 0, 16 * 12),
}


def test_every_counting_rule_has_a_case():
    kinds = set()
    for make, *_ in CASES.values():
        kinds.update(type(m) for m in make().modules())
    assert set(RULES) <= kinds


@pytest.mark.parametrize("case", sorted(CASES))
def test_module_kind_matches_fvcore_and_hand_count(case, seeded, fvcore_count):
    make, shape, macs, ops = CASES[case]
    model = make()
    report = count_costs(model, timesteps=T, sample_shape=shape)
    (layer,) = report.layers
    assert (layer.macs_per_step, layer.elementwise_ops_per_step) == (macs, ops)
    assert layer.steps == T and report.macs_total == T * macs
    assert fvcore_count(model, T, shape).total() == report.macs_total
    with torch.device("meta"):
        meta = make()
    assert count_costs(meta, timesteps=T, sample_shape=shape) == report


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.name for p in list_presets()])
def test_preset_matches_fvcore_layer_by_layer(name, seeded, shrink, fvcore_count):
    cfg = shrink(get_preset(name))
    model = create_model(cfg).eval()
    report = count_costs(cfg)
    analysis = fvcore_count(model, cfg.timesteps, (cfg.in_channels, cfg.input_size,
                                                   cfg.input_size))
    by_module = analysis.by_module()
    assert {layer.name: layer.macs_total for layer in report.mac_layers} == {
        layer.name: by_module[layer.name] for layer in report.mac_layers}
    assert analysis.total() == report.macs_total
    assert all(layer.steps == cfg.timesteps for layer in report.mac_layers)
    # the meta shape rules agree with a real forward, layer by layer
    assert count_costs(model) == report


def test_spikformer_4_384_closed_form():
    """Spikformer (Zhou et al., ICLR 2023) by hand: CIFAR, N = 64 tokens, (QK^T)V, r = 4, C = 10.
    """
    report = count_costs("spikformer-4-384")
    d, n, L, c = 384, 64, 4, 10
    sps = (9 * 32**2 * (3 * d // 8 + (d // 8) * (d // 4) + (d // 4) * (d // 2))
           + 9 * 16**2 * (d // 2) * d + 9 * 8**2 * d * d)
    block = 4 * n * d * d + 2 * 4 * n * d * d + 2 * n * n * d
    assert report.macs_per_step == sps + L * block + d * c == 934_039_296
    assert report.macs_total == 4 * report.macs_per_step
    assert report.params == 9_324_730
    (first,) = [layer for layer in report.layers if layer.encoding]
    assert first.macs_per_step == 9 * 3 * (d // 8) * 32**2


def test_shapes_are_per_sample_and_per_step():
    name = "blocks.0.token_mixer.first_matmul"
    layer = next(lay for lay in count_costs("spikformer-4-384").layers if lay.name == name)
    assert layer.input_shapes == ((12, 64, 32), (12, 32, 64))
    assert layer.output_shape == (12, 64, 64)
    assert layer.kind == "SpikeMatMul" and layer.role == "attention_product"


def test_counting_a_real_model_leaves_it_as_it_was(seeded, shrink):
    cfg = shrink(get_preset("spikformer-2-384"))
    model = create_model(cfg).train()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    count_costs(model)
    assert model.training and all(m.training for m in model.modules())
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert all("forward" not in vars(m) for m in model.modules())


class _Gelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(self.fc(x))


def test_unknown_module_kind_is_an_error_not_a_zero():
    with pytest.raises(CostModelError, match="no counting rule for layer 'act' of kind GELU"):
        count_costs(_Gelu(), timesteps=2, sample_shape=(3, 4))


def test_model_without_config_needs_timesteps_and_shape():
    with pytest.raises(CostModelError, match="needs timesteps and sample_shape"):
        count_costs(_Gelu())


def test_unused_modules_are_listed_and_counted_in_params():
    model = _Tokens(nn.Linear(12, 7))
    model.spare = nn.LayerNorm(12)
    report = count_costs(model, timesteps=2, sample_shape=TOKENS)
    assert report.unused == ("spare",)
    assert report.params == 12 * 7 + 7 + 24


def test_equal_blocks_are_counted_once_and_other_blocks_apart():
    from autost.cost import count

    cfg = get_preset("spikformer-2-384").replace(num_classes=7)  # two equal blocks
    count.cache_clear()
    count_costs(cfg)
    assert count._block_costs.cache_info()[:2] == (1, 1)  # hits, misses
    unbiased = cfg.replace(qkv_bias=False)
    report = count_costs(unbiased)
    assert count._block_costs.cache_info().misses == 2
    with torch.device("meta"):
        assert report == count_costs(create_model(unbiased))

    # Other blocks, the rest alike: the splitter and the head are not counted again
    other = cfg.replace(blocks=(dataclasses.replace(cfg.blocks[0], mlp_ratio=2.0),) * 2)
    report = count_costs(other)
    # hits, misses: the splitter keys on every field but the blocks (qkv_bias made the second
    # config's its own), the head on its width, tokens, classes and T (one for all three)
    assert [count._splitter_costs.cache_info()[:2], count._head_costs.cache_info()[:2]] == [
        (1, 2), (2, 1)]
    with torch.device("meta"):
        assert report == count_costs(create_model(other))
