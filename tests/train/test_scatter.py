"""Scatter helpers: mixer families, distinct seeded samples whose surrogate builds."""

import random
from dataclasses import replace

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import ArchValidationError
from autost.space import load_space
from autost.surrogate import SURROGATES, Surrogate, get_surrogate
from autost.train.scatter import PRESETS, mixer_family, sample_architectures


def _arch(*mixers):
    return ArchConfig(blocks=tuple(BlockConfig(token_mixer=m, heads=4) for m in mixers),
                      embed_dim=192, timesteps=4, num_classes=100)


@pytest.mark.parametrize(("mixers", "family"), [
    (("stm", "stm"), "stm"), (("ssa", "ssa", "conv"), "ssa"), (("ssa", "conv"), "mixed"),
    (("ssa", "conv", "stm"), "mixed"), (("conv", "conv", "stm", "ssa"), "mixed"),
])
def test_mixer_family_is_the_strict_majority(mixers, family):
    assert mixer_family(_arch(*mixers)) == family


def test_samples_are_distinct_seeded_and_valid():
    space = load_space("stmixer")
    first = sample_architectures(space, 5, 3, PRESETS["quick"])
    again = sample_architectures(space, 5, 3, PRESETS["quick"])
    assert [c.arch_id for c in first] == [c.arch_id for c in again]
    assert len({c.arch_id for c in first}) == 5
    assert first[0] == space.sample(random.Random(3))  # candidates are stored as sampled
    assert all(get_surrogate("keep16").apply(c).input_size == 16 for c in first)


def test_a_sample_whose_surrogate_cannot_be_built_is_skipped(monkeypatch):
    eighth = Surrogate("eighth", "width / 8", input_size=16, patch_size=4, width_divisor=8)
    monkeypatch.setitem(SURROGATES, "eighth", eighth)
    space = load_space("stmixer")
    rng = random.Random(0)
    buildable = []
    for cfg in [space.sample(rng) for _ in range(40)]:
        try:
            eighth.apply(cfg)
        except ArchValidationError:
            continue
        buildable.append(cfg.arch_id)
    assert 0 < len(buildable) < 40  # heads 16 on 192 / 8 = 24 channels cannot split
    got = sample_architectures(space, 3, 0, replace(PRESETS["quick"], surrogate="eighth"))
    assert [c.arch_id for c in got] == list(dict.fromkeys(buildable))[:3]
