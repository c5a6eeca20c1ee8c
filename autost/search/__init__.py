"""The study loop: Optuna samplers propose architectures, proxies score them, the DB keeps them.

``search`` starts or resumes a study on one machine (a local process pool scores when
``workers > 1``); ``run_worker`` joins a study from any machine that reaches its database.

``autost.search`` is both this package and the function: the package is callable (its
module class calls :func:`search`), so ``autost.search(space, budget=...)`` works whether or
not the package was imported before.
"""

import sys
import types
from importlib import import_module

# Each name loads its module on first use: the dominance and front helpers that reports
# import from this package do not pay for the search loop (Optuna's samplers, asyncio).
_LAZY = {
    **dict.fromkeys(("BestTrial", "SearchResult", "run_worker", "search"), "autost.search.api"),
    "SearchInterrupted": "autost.search.interrupts",
    **dict.fromkeys(("CEILINGS", "DEFAULT_OBJECTIVES", "Constraint", "Objective",
                     "parse_search_objective"), "autost.search.objectives"),
    **dict.fromkeys(("DEFAULT_SAMPLER", "create_sampler", "list_samplers"),
                    "autost.search.samplers"),
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.search' has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    """The package ``autost.search``, callable as :func:`autost.search.api.search`."""

    def __call__(self, *args, **kwargs):
        return import_module("autost.search.api").search(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
