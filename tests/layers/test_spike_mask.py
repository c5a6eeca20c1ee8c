"""Random spike masking (MST): ratio, seeding, fresh masks per call, identity at ratio 0."""

import pytest
import torch
from torch import nn

from autost.arch import ArchConfig, BlockConfig
from autost.layers import LayerFactory, RandomSpikeMask


def test_mask_drops_about_the_ratio_and_never_rescales():
    x = torch.ones(4, 8, 64, 64)
    y = RandomSpikeMask(0.75, seed=3)(x)
    assert set(y.unique().tolist()) <= {0.0, 1.0}
    assert y.mean().item() == pytest.approx(0.25, abs=0.01)


def test_mask_is_seeded_and_fresh_per_call():
    x = torch.ones(2, 2, 16, 16)
    a, b = RandomSpikeMask(0.5, seed=1), RandomSpikeMask(0.5, seed=1)
    first = a(x)
    assert torch.equal(first, b(x)), "same seed, same call index: same mask"
    assert not torch.equal(first, a(x)), "the next call draws a new mask"
    assert not torch.equal(first, RandomSpikeMask(0.5, seed=2)(x))


def test_mask_applies_in_eval_mode_too():
    mask = RandomSpikeMask(0.5, seed=0).eval()
    assert mask(torch.ones(1, 1, 32, 32)).sum() < 32 * 32


def test_mask_runs_on_the_meta_device():
    with torch.device("meta"):
        y = RandomSpikeMask(0.5, seed=0)(torch.ones(2, 3))
    assert y.is_meta and y.shape == (2, 3)


def test_factory_gives_identity_without_masking_and_distinct_seeds_with_it():
    block = BlockConfig(heads=4)
    plain = LayerFactory(ArchConfig(blocks=(block,), embed_dim=32))
    assert isinstance(plain.mask(), nn.Identity)
    make = LayerFactory(ArchConfig(blocks=(block,), embed_dim=32, mask_ratio=0.3), mask_seed=5)
    first, second = make.mask(), make.mask()
    assert first.ratio == 0.3 and first.seed != second.seed
