"""Every sampler by name: seeded (same seed, same candidates), grid only for finite spaces."""

import optuna
import pytest

from autost.exceptions import SearchConfigError
from autost.search import create_sampler, list_samplers
from autost.space import load_space

SPACE = load_space("stmixer")


def _first_candidates(name: str, seed: int, n: int = 4) -> list[str]:
    study = optuna.create_study(directions=["maximize", "minimize"],
                                sampler=create_sampler(name, seed=seed, space=SPACE))
    ids = []
    for _ in range(n):
        trial = study.ask()
        cfg = SPACE.suggest(trial)
        ids.append(cfg.arch_id)
        study.tell(trial, [float(cfg.embed_dim * cfg.depth), float(cfg.depth)])
    return ids


@pytest.mark.parametrize("name", [s for s in list_samplers() if s != "grid"])
def test_same_seed_gives_the_same_first_candidates(name):
    first = _first_candidates(name, seed=3)
    assert first == _first_candidates(name, seed=3)
    assert first != _first_candidates(name, seed=4)


def test_unknown_sampler_suggests_the_closest():
    with pytest.raises(SearchConfigError, match="unknown sampler 'nsga'; did you mean .*'nsga2'"):
        create_sampler("nsga", seed=0, space=SPACE)


def test_grid_needs_a_finite_space(tiny_space):
    with pytest.raises(SearchConfigError, match="space 'stmixer' varies them"):
        create_sampler("grid", seed=0, space=SPACE)
    sampler = create_sampler("grid", seed=0, space=load_space(tiny_space))
    assert isinstance(sampler, optuna.samplers.GridSampler)


def test_parallel_tpe_lies_about_running_trials():
    assert create_sampler("tpe", seed=0, space=SPACE, parallel=True)._constant_liar
    assert not create_sampler("tpe", seed=0, space=SPACE)._constant_liar
