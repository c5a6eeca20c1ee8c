"""The study loop: Optuna samplers propose architectures, proxies score them, the DB keeps them.

``search`` starts or resumes a study on one machine (a local process pool scores when
``workers > 1``); ``run_worker`` joins a study from any machine that reaches its database.

``autost.study`` is both this package and the function: the package is callable, so
``autost.search(space, budget=...)`` works whether or not the package was imported before.
"""

from autost.study.api import BestTrial, SearchResult, run_worker, search
from autost.study.objectives import (
    CEILINGS,
    DEFAULT_OBJECTIVES,
    Constraint,
    Objective,
    parse_objective,
    parse_quantity,
)
from autost.study.samplers import DEFAULT_SAMPLER, create_sampler, list_samplers

__all__ = [
    "CEILINGS",
    "DEFAULT_OBJECTIVES",
    "DEFAULT_SAMPLER",
    "BestTrial",
    "Constraint",
    "Objective",
    "SearchResult",
    "create_sampler",
    "list_samplers",
    "parse_objective",
    "parse_quantity",
    "run_worker",
    "search",
]
