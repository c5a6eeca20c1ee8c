"""Brief training: datasets, the surrogate-gradient loop, Ray Tune trials, study top-K and
the accuracy-versus-FLOPs scatter.

Importing this package imports neither torch nor Ray; the names below load their module on
first use.
"""

from importlib import import_module

_LAZY = {
    "calibration_batch": "autost.train.datasets",
    "ensure_dataset": "autost.train.datasets",
    "list_datasets": "autost.train.datasets",
    "load_dataset": "autost.train.datasets",
    "TrainSettings": "autost.train.loop",
    "train_model": "autost.train.loop",
    "train_architecture": "autost.train.brief",
    "run_trials": "autost.train.tuning",
    "TrainJob": "autost.train.tuning",
    "TrainOutcome": "autost.train.tuning",
    "train_top": "autost.train.study",
    "reproduce_scatter": "autost.train.scatter",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.train' has no attribute {name!r}")
