"""Image datasets: the calibration batches of the proxies and the data of brief training.

Both stages read images from here, so the proxies never import training. Importing this
package does not import torch; the names below load their module on first use, and
the catalog's (which datasets exist, whether one is in place) never import torch.
"""

from importlib import import_module

_LAZY = {
    **{name: "autost.data.catalog" for name in ("ensure_dataset", "list_datasets",
                                                "num_classes")},
    **{name: "autost.data.datasets" for name in ("ImageDataset", "calibration_batch",
                                                 "load_dataset")},
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.data' has no attribute {name!r}")
