"""Surrogates: named maps that keep every searched dimension (or, for trunc16, do not)."""

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import UnknownNameError
from autost.surrogate import SURROGATES, SurrogateError, get_surrogate


def _arch(depth=6, timesteps=4, embed_dim=192, heads=4, mixers=("ssa", "stm", "conv")):
    blocks = tuple(BlockConfig(token_mixer=mixers[i % len(mixers)], heads=heads,
                               mlp_ratio=2.0 + i % 2 * 2) for i in range(depth))
    return ArchConfig(blocks=blocks, embed_dim=embed_dim, timesteps=timesteps,
                      num_classes=100)


def test_keep16_keeps_depth_timesteps_and_every_block():
    cfg = _arch()
    small = get_surrogate("keep16").apply(cfg)
    assert (small.input_size, small.patch_size, small.embed_dim) == (16, 4, 48)
    assert (small.depth, small.timesteps, small.num_classes) == (6, 4, 100)
    assert small.blocks == cfg.blocks  # mixers, heads, MLP ratios, experts untouched
    assert get_surrogate("keep16").apply(cfg, 10).num_classes == 10


@pytest.mark.parametrize("field", ["depth", "timesteps", "embed_dim"])
def test_keep16_preserves_the_order_of_every_searched_size(field):
    keep = get_surrogate("keep16")
    values = {"depth": (2, 5, 8), "timesteps": (1, 2, 4), "embed_dim": (128, 256, 384)}[field]
    sizes = []
    for v in values:
        small = keep.apply(_arch(**{field: v}))
        sizes.append(small.depth if field == "depth" else getattr(small, field))
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)


def test_trunc16_erases_depth_and_timesteps_beyond_its_caps():
    trunc = get_surrogate("trunc16")
    deep, shallow = trunc.apply(_arch(depth=8)), trunc.apply(_arch(depth=4))
    assert deep == shallow  # depth 8 and depth 4 become one network: what keep16 avoids
    assert trunc.apply(_arch(timesteps=4)).timesteps == 2


def test_full_is_the_identity():
    cfg = _arch()
    assert get_surrogate("full").apply(cfg) is cfg


def test_a_width_that_cannot_be_shrunk_names_the_dimension():
    with pytest.raises(SurrogateError) as err:
        get_surrogate("keep16").apply(_arch(embed_dim=200, heads=4, mixers=("conv",)))
    assert str(err.value) == (
        "surrogate 'keep16' cannot shrink L6 D200 T4 sps [conv/mlp conv/mlp conv/mlp conv/mlp "
        "conv/mlp conv/mlp]: embed_dim 50 is invalid: must be divisible by 8 (patch splitters "
        "use D/8); choose another surrogate")


def test_unknown_surrogate_suggests_the_closest():
    with pytest.raises(UnknownNameError) as err:
        get_surrogate("keep61")
    assert str(err.value) == "unknown surrogate 'keep61'; did you mean 'keep16', 'keep8'?"
    assert set(SURROGATES) == {"full", "keep16", "keep8", "trunc16"}
