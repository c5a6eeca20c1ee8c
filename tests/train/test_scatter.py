"""Scatter helpers: the quick shrink, mixer families, distinct seeded samples."""

import random

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.space import load_space
from autost.train.scatter import PRESETS, adapt, mixer_family, sample_architectures


def _arch(*mixers):
    return ArchConfig(blocks=tuple(BlockConfig(token_mixer=m, heads=4) for m in mixers),
                      embed_dim=192, timesteps=4, num_classes=100)


def test_quick_shrinks_and_paper_keeps_the_config():
    cfg = _arch("ssa", "stm", "conv", "ssa", "stm", "conv")
    small = adapt(cfg, PRESETS["quick"], "digits")
    assert (small.input_size, small.patch_size, small.embed_dim) == (16, 4, 48)
    assert (small.depth, small.timesteps, small.num_classes) == (4, 2, 10)
    assert [b.token_mixer for b in small.blocks] == ["ssa", "stm", "conv", "ssa"]
    assert adapt(cfg, PRESETS["paper"], "cifar10") == cfg.replace(num_classes=10)


@pytest.mark.parametrize(("mixers", "family"), [
    (("stm", "stm"), "stm"), (("ssa", "ssa", "conv"), "ssa"), (("ssa", "conv"), "mixed"),
    (("ssa", "conv", "stm"), "mixed"), (("conv", "conv", "stm", "ssa"), "mixed"),
])
def test_mixer_family_is_the_strict_majority(mixers, family):
    assert mixer_family(_arch(*mixers)) == family


def test_samples_are_distinct_seeded_and_valid():
    space = load_space("stmixer")
    first = sample_architectures(space, 5, 3, PRESETS["quick"], "digits")
    again = sample_architectures(space, 5, 3, PRESETS["quick"], "digits")
    assert [c.arch_id for c in first] == [c.arch_id for c in again]
    assert len({c.arch_id for c in first}) == 5
    assert all(c.input_size == 16 and c.depth <= 4 for c in first)
    assert first[0] == adapt(space.sample(random.Random(3)), PRESETS["quick"], "digits")
