"""Image datasets: the calibration batches of the proxies and the data of brief training.

Both stages read images from here, so the proxies never import training. Importing this
package does not import torch; the names below load their module on first use.
"""

from importlib import import_module

_LAZY = {name: "autost.data.datasets" for name in (
    "ImageDataset", "calibration_batch", "ensure_dataset", "list_datasets", "load_dataset",
    "num_classes")}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.data' has no attribute {name!r}")
