"""Patch splitters: token shapes, pooling layouts, analog vs spike outputs, encoding layers."""

import pytest
import torch
from torch import nn

from autost.arch import PATCH_SPLITTERS, ArchConfig, BlockConfig
from autost.exceptions import ArchValidationError
from autost.layers import PATCH_SPLITTER_REGISTRY, LayerFactory, SpedsDownsample
from autost.layers.layout import fold_time, to_tokens
from autost.layers.neuron import LIF

DIM, T, B = 64, 2, 2


def _cfg(splitter: str, patch_size: int, residual: str = "sew", **changes) -> ArchConfig:
    speds = splitter == "speds"
    return ArchConfig(
        blocks=(BlockConfig(heads=4),) * (3 if speds else 1), embed_dim=DIM,
        input_size=2 * patch_size if patch_size == 16 else 16, timesteps=T,
        patch_splitter=splitter, patch_size=patch_size, residual=residual,
        stage_depths=(1, 1, 1) if speds else (), **changes,
    )


def _image(cfg: ArchConfig) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(T, B, cfg.in_channels, cfg.input_size, cfg.input_size)


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# Every splitter with every residual it allows (ms_sps is membrane-shortcut only).
SPLITTER_RESIDUALS = [(name, residual) for name in sorted(PATCH_SPLITTER_REGISTRY)
                      for residual in ("sew", "ms") if (name, residual) != ("ms_sps", "sew")]


def test_registry_covers_the_arch_names():
    assert set(PATCH_SPLITTER_REGISTRY) == set(PATCH_SPLITTERS)


def test_ms_sps_needs_a_membrane_shortcut():
    with pytest.raises(ArchValidationError) as err:
        _cfg("ms_sps", 4, "sew")
    assert str(err.value) == (
        "patch_splitter 'ms_sps' is invalid: needs residual 'ms' (its output is analog, a "
        "membrane-shortcut stream); use patch_splitter 'sps' with residual 'sew'")


@pytest.mark.parametrize("patch_size", [4, 16])
@pytest.mark.parametrize(("name", "residual"), SPLITTER_RESIDUALS)
def test_splitter_gives_tokens_of_the_first_stage(name, patch_size, residual):
    cfg = _cfg(name, patch_size, residual)
    splitter = PATCH_SPLITTER_REGISTRY[name](LayerFactory(cfg))
    x = _image(cfg).requires_grad_()
    y = splitter(x)
    assert y.shape == (T, B, cfg.block_tokens()[0], cfg.block_widths()[0])
    y.square().sum().backward()
    assert torch.isfinite(x.grad).all()
    values = set(y.detach().unique().tolist())
    if residual == "sew":
        assert values <= {0.0, 1.0, 2.0}, "sew: spikes, or a sum of two spike trains"
    else:
        assert not values <= {0.0, 1.0, 2.0}, "ms: the stream is analog"


@pytest.mark.parametrize("name", sorted(PATCH_SPLITTER_REGISTRY))
def test_encoding_layers_read_the_image(name):
    cfg = _cfg(name, 4, "ms" if name == "ms_sps" else "sew")
    splitter = PATCH_SPLITTER_REGISTRY[name](LayerFactory(cfg))
    layers = splitter.encoding_layers()
    assert layers and all(isinstance(m, nn.Conv2d) for m in layers)
    assert all(m.in_channels == cfg.in_channels for m in layers)
    assert len(layers) == (2 if name == "ipsps" else 1)


def _pooled_convs(sps) -> list[bool]:
    return [isinstance(p, nn.MaxPool2d) for p in sps.pools]


def test_sps_pools_as_in_spikformer_cifar_and_imagenet_code():
    cifar = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 4)))
    imagenet = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 16)))
    assert _pooled_convs(cifar) == [False, False, True, True]
    assert _pooled_convs(imagenet) == [True, True, True, True]


def test_sps_parameters_match_the_spikformer_formula():
    # P_SPS = 9 (c_in D/8 + D^2/32 + D^2/8 + D^2/2) + 9 D^2 + 2 (D/8 + D/4 + D/2 + D + D)
    d = DIM
    formula = 9 * (3 * d // 8 + d * d // 32 + d * d // 8 + d * d // 2) + 9 * d * d
    formula += 2 * (d // 8 + d // 4 + d // 2 + d + d)
    sps = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 4)))
    assert _params(sps) == formula


def test_sps_ms_drops_the_last_two_neurons():
    sew = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 4)))
    ms = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 4, "ms")))
    count = lambda m: sum(isinstance(x, LIF) for x in m.modules())  # noqa: E731
    assert count(sew) == 5 and count(ms) == 3


def test_ms_sps_is_sps_with_a_neuron_before_the_rpe_conv():
    """The Spike-driven Transformer's MS_SPS: SPS's weights, one more LIF (on the last
    conv's analog output, read by the RPE conv), analog output."""
    sps = PATCH_SPLITTER_REGISTRY["sps"](LayerFactory(_cfg("sps", 4, "ms")))
    ms_sps = PATCH_SPLITTER_REGISTRY["ms_sps"](LayerFactory(_cfg("ms_sps", 4, "ms")))
    count = lambda m: sum(isinstance(x, LIF) for x in m.modules())  # noqa: E731
    assert count(ms_sps) == count(sps) + 1
    assert list(ms_sps.state_dict()) == list(sps.state_dict())
    ms_sps.load_state_dict(sps.state_dict())
    with torch.no_grad():
        image = _image(_cfg("sps", 4, "ms"))
        x = image
        for conv, lif, pool in zip(sps.convs, sps.lifs, sps.pools, strict=True):
            x = fold_time(pool, lif(conv(x)))
        expected = to_tokens(x + sps.rpe(ms_sps.rpe_lif_in(x)))
        assert torch.equal(ms_sps(image), expected)
        assert not torch.equal(sps(image), expected)


def test_ipsps_uses_strided_convs_and_a_protect_path():
    ipsps = PATCH_SPLITTER_REGISTRY["ipsps"](LayerFactory(_cfg("ipsps", 4)))
    assert [c.conv.stride[0] for c in ipsps.convs] == [1, 1, 1, 2, 2]
    assert ipsps.protect.conv.kernel_size == (4, 4) and ipsps.protect.conv.stride == (4, 4)
    assert not any(isinstance(m, nn.MaxPool2d) for m in ipsps.modules())
    assert ipsps.convs[-1].conv.out_channels + ipsps.protect.conv.out_channels == DIM


@pytest.mark.parametrize("patch_size", [4, 16])
def test_speds_stem_and_stage_match_the_qkformer_formulas(patch_size):
    cfg = _cfg("speds", patch_size)
    make = LayerFactory(cfg)
    c1 = DIM // 4
    stem_formula = 9 * 3 * c1 // 2 + 9 * (c1 // 2) * c1 + (c1 // 2) * c1 + 2 * (c1 // 2 + 2 * c1)
    if patch_size == 16:
        stem_formula += 9 * c1 * c1 + 2 * c1
    assert _params(PATCH_SPLITTER_REGISTRY["speds"](make)) == stem_formula
    c_in, c_out = c1, 2 * c1
    stage = SpedsDownsample(c_in, c_out, side=8, make=make)
    assert _params(stage) == 9 * c_in * c_out + 9 * c_out**2 + c_in * c_out + 6 * c_out
    assert stage(torch.zeros(T, B, 64, c_in)).shape == (T, B, 16, c_out)


def test_speds_stage_pools_after_the_second_conv_on_cifar_and_the_first_on_imagenet():
    for patch_size, pooled in ((4, (False, True)), (16, (True, False))):
        stage = SpedsDownsample(16, 32, side=8, make=LayerFactory(_cfg("speds", patch_size)))
        got = tuple(isinstance(c.pool, nn.MaxPool2d) for c in (stage.conv1, stage.conv2))
        assert got == pooled


@pytest.mark.parametrize(("name", "residual"), SPLITTER_RESIDUALS)
def test_encoding_layers_are_the_convs_that_read_analog_values(name, residual):
    """Every other conv reads spikes or sums of spikes (integers), so it is spike-driven."""
    cfg = _cfg(name, 4, residual)
    splitter = PATCH_SPLITTER_REGISTRY[name](LayerFactory(cfg))
    analog = set()
    for module in splitter.modules():
        if isinstance(module, nn.Conv2d):
            module.register_forward_hook(
                lambda m, args, out: analog.add(m) if not torch.equal(
                    args[0], args[0].round()) else None)
    with torch.no_grad():
        splitter(_image(cfg))
    assert set(splitter.encoding_layers()) == analog
    if name in ("sps", "ms_sps"):
        assert (splitter.rpe.conv in analog) == ((name, residual) == ("sps", "ms"))
