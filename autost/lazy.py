"""Package attributes imported on first use (PEP 562), so that a light import stays light.

``autost.cost`` and ``autost.proxies`` export names whose modules import torch; their
registries, settings and constants import without it, which keeps ``autost --help`` fast.
"""

from importlib import import_module


def lazy_attributes(package: str, modules: dict[str, str]):
    """A module ``__getattr__`` for ``package`` that imports ``modules[name]`` (a dotted module
    path) the first time ``name`` is asked for, and returns its attribute ``name``."""

    def __getattr__(name: str):
        if name in modules:
            return getattr(import_module(modules[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
