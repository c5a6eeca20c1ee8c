"""Declarative search spaces: TOML files that Optuna trials turn into ArchConfigs.

Importing this package imports neither torch nor optuna; ``SearchSpace.suggest`` only calls
the trial's ``suggest_*`` methods.
"""

from autost.space.language import parse_space
from autost.space.registry import ALIASES, list_spaces, load_space, space_rows
from autost.space.space import SearchSpace

__all__ = ["ALIASES", "SearchSpace", "list_spaces", "load_space", "parse_space", "space_rows"]
