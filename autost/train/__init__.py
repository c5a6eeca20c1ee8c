"""Brief training: the surrogate-gradient loop, Ray Tune trials, a study's best candidates and
the accuracy-versus-FLOPs experiment.

Importing this package imports neither torch nor Ray; the names below load their module on
first use. Datasets live in :mod:`autost.data`.
"""

from importlib import import_module

_LAZY = {
    "TrainSettings": "autost.train.loop",
    "train_model": "autost.train.loop",
    "train_architecture": "autost.train.brief",
    "run_trials": "autost.train.tuning",
    "TrainJob": "autost.train.tuning",
    "TrainOutcome": "autost.train.tuning",
    "train_ranked": "autost.train.top_candidates",
    "run_scatter": "autost.train.scatter",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.train' has no attribute {name!r}")
