"""The study loop: Optuna samplers propose architectures, proxies score them, the DB keeps them.

``search`` starts or resumes a study on one machine (a local process pool scores when
``workers > 1``); ``run_worker`` joins a study from any machine that reaches its database.

``autost.search`` is both this package and the function: the package is callable (its
module class calls :func:`search`), so ``autost.search(space, budget=...)`` works whether or
not the package was imported before.
"""

import sys
import types

from autost.search.api import BestTrial, SearchResult, run_worker, search
from autost.search.interrupts import SearchInterrupted
from autost.search.objectives import (
    CEILINGS,
    DEFAULT_OBJECTIVES,
    Constraint,
    Objective,
    parse_search_objective,
)
from autost.search.samplers import DEFAULT_SAMPLER, create_sampler, list_samplers

__all__ = [
    "CEILINGS",
    "DEFAULT_OBJECTIVES",
    "DEFAULT_SAMPLER",
    "BestTrial",
    "Constraint",
    "Objective",
    "SearchInterrupted",
    "SearchResult",
    "create_sampler",
    "list_samplers",
    "parse_search_objective",
    "run_worker",
    "search",
]


class _CallablePackage(types.ModuleType):
    """The package ``autost.search``, callable as :func:`autost.search.api.search`."""

    def __call__(self, *args, **kwargs):
        return search(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
