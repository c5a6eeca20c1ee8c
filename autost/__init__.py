"""autost: training-free architecture search for spiking transformers.

The package root stays light (no torch, no Ray) so the command line starts fast; the
public API functions are imported on first use.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "search": ("autost.study", "search"),
    "run_worker": ("autost.study", "run_worker"),
    "SearchResult": ("autost.study", "SearchResult"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        return getattr(import_module(module_name), attr)
    raise AttributeError(f"module 'autost' has no attribute {name!r}")
