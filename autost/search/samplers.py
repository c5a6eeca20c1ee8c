"""Optuna samplers by name: ``tpe`` (default), ``nsga2``, ``nsga3``, ``random``, ``qmc``, ``gp``,
``grid``.

Every sampler is built with an explicit seed, so the same seed and space give the same first
candidates. Constraints reach all of them through ``trial.set_constraint`` (Optuna 5 reads
``trial.constraints``; the deprecated ``constraints_func`` is never passed). ``parallel``
turns on TPE's constant liar, so trials running at the same time are not proposed twice.
``tpe`` is Optuna's TPE, made faster per trial (:mod:`autost.search.tpe`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from autost.exceptions import SearchConfigError, UnknownSettingError, unknown_name

DEFAULT_SAMPLER = "tpe"


def _tpe(seed, space, parallel):
    from autost.search.tpe import SplitOnceTPESampler

    return SplitOnceTPESampler(seed=seed, constant_liar=parallel)


def _nsga2(seed, space, parallel):
    from optuna.samplers import NSGAIISampler

    return NSGAIISampler(seed=seed)


def _nsga3(seed, space, parallel):
    from optuna.samplers import NSGAIIISampler

    return NSGAIIISampler(seed=seed)


def _random(seed, space, parallel):
    from optuna.samplers import RandomSampler

    return RandomSampler(seed=seed)


def _qmc(seed, space, parallel):
    from optuna.samplers import QMCSampler

    # Scrambled Sobol points: the seed matters; conditional parameters fall back to random.
    return QMCSampler(seed=seed, scramble=True, warn_independent_sampling=False)


def _gp(seed, space, parallel):
    from optuna.samplers import GPSampler

    return GPSampler(seed=seed, deterministic_objective=True, warn_independent_sampling=False)


def _grid(seed, space, parallel):
    from optuna.samplers import GridSampler

    class AskTellGridSampler(GridSampler):
        """GridSampler without its ``study.stop()`` (allowed only inside ``optimize``); the
        coordinator stops on ``is_exhausted`` instead."""

        def after_trial(self, study, trial, state, values) -> None:
            pass

    grid = space.grid()
    if grid is None:
        raise SearchConfigError(
            f"sampler 'grid' needs a space whose every trial has the same parameters; space "
            f"{space.name!r} varies them (depth, conditions or width-dependent choices); "
            "use --sampler random or tpe"
        )
    return AskTellGridSampler(grid, seed=seed)


SAMPLERS: dict[str, Callable] = {
    "tpe": _tpe,
    "nsga2": _nsga2,
    "nsga3": _nsga3,
    "random": _random,
    "qmc": _qmc,
    "gp": _gp,
    "grid": _grid,
}


def list_samplers() -> list[str]:
    return list(SAMPLERS)


def check_sampler(name: str) -> str:
    """Return ``name`` if it is a known sampler, else an error naming the closest ones."""
    if name not in SAMPLERS:
        raise unknown_name("sampler", name, SAMPLERS, UnknownSettingError)
    return name


def create_sampler(name: str, *, seed: int, space, parallel: bool = False):
    """Build the named Optuna sampler for ``space`` with ``seed``."""
    import optuna

    factory = SAMPLERS[check_sampler(name)]
    with warnings.catch_warnings():  # qmc, nsga3 and gp options are "experimental" in Optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return factory(seed, space, parallel)
