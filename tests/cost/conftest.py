"""Fixtures for the cost tests: shrunk presets, fvcore's count of a real model, a seed."""

import pytest
import torch

from autost.exceptions import ArchValidationError


def _shrink(cfg):
    """The same structure at a small size, so fvcore's trace stays quick: the same
    splitter, stages and distinct blocks of each stage (repeats dropped, two blocks kept
    without stages), width as small as the heads allow, grid 2 or 4 tokens a side, T = 2."""
    stages = cfg.stage_of_blocks()
    blocks, depths = [], []
    for stage in sorted(set(stages)):
        mine = [b for b, s in zip(cfg.blocks, stages, strict=True) if s == stage]
        distinct = list(dict.fromkeys(mine))
        if not cfg.stage_depths and len(distinct) == 1:
            distinct = mine[:2]
        blocks += distinct
        depths.append(len(distinct))
    cfg = cfg.replace(blocks=tuple(blocks),
                      stage_depths=tuple(depths) if cfg.stage_depths else ())
    for grid in (2, 4):
        for dim in range(32, cfg.embed_dim + 1, 8):
            try:
                return cfg.replace(embed_dim=dim, input_size=cfg.patch_size * grid,
                                   timesteps=2)
            except ArchValidationError:
                continue
    raise AssertionError(f"no small version of {cfg.summary()}")


def _fvcore_count(model, timesteps: int, sample_shape):
    """fvcore's MAC analysis of ``model`` on one sample [T, 1, *sample_shape]."""
    from autost.cost.fvcore_check import fvcore_analysis

    return fvcore_analysis(model, torch.rand(timesteps, 1, *sample_shape))


@pytest.fixture
def seeded():
    torch.manual_seed(0)


@pytest.fixture
def shrink():
    """The function that shrinks a preset's ArchConfig, keeping its structure."""
    return _shrink


@pytest.fixture
def fvcore_count():
    """The function that runs fvcore's MAC analysis of a model on one sample."""
    return _fvcore_count
