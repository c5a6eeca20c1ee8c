"""autost: training-free architecture search for spiking transformers.

The package root stays light (no torch, no Ray) so the command line starts fast; the
public API functions are imported on first use.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "search": ("autost.search", None),  # the package, callable as the function
    "run_worker": ("autost.search", "run_worker"),
    "SearchResult": ("autost.search", "SearchResult"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = import_module(module_name)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'autost' has no attribute {name!r}")
