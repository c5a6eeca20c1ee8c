"""Objectives: a score and the direction in which it is better, written "NAME:max|min".

One type for the whole package: a search optimizes proxies by them, a report ranks stored
scores (and trained accuracy) by them, and the study keeps their specs in its user attrs.
A bare name takes its direction from objectives already known (the study's own), else
from the proxy registry; accuracy, a predicted accuracy and rank aggregates ("a+b") are
maximized.
"""

from __future__ import annotations

from dataclasses import dataclass

from autost.exceptions import AutostError, UnknownNameError
from autost.proxies.direction import MAX, optuna_direction, parse_direction


@dataclass(frozen=True)
class Objective:
    """A score and whether higher (``max``) or lower (``min``) is better."""

    name: str
    direction: str  # "max" | "min"

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.direction}"

    @property
    def maximize(self) -> bool:
        return self.direction == MAX

    @property
    def study_direction(self) -> str:
        """Optuna's spelling: "maximize" or "minimize"."""
        return optuna_direction(self.direction)


def objective_name(spec: str) -> str:
    """The score name of a spec, without its direction."""
    return str(spec).strip().partition(":")[0].strip()


def parse_objective(spec: str, *, known=(), error: type[AutostError] = AutostError
                    ) -> Objective:
    """Parse "name:max", "name:min" (or maximize/minimize, any case) or a bare name.

    ``known``: objectives whose direction a bare name takes before the registry's; errors
    are raised as ``error``.
    """
    name = objective_name(spec)
    _, sep, written = str(spec).partition(":")
    if sep:
        direction = parse_direction(written)
        if not name or direction is None:
            raise error(f"objective {spec!r} is malformed; write NAME:max or NAME:min, "
                        "e.g. flops:max")
        return Objective(name, direction)
    for objective in known:
        if objective.name == name:
            return objective
    return Objective(name, _registry_direction(name, error))


def _registry_direction(name: str, error: type[AutostError]) -> str:
    if name in ("accuracy", "predicted") or "+" in name:  # combined scores: higher is better
        return MAX
    from autost.proxies import get_proxy

    try:
        return get_proxy(name).direction
    except UnknownNameError:
        raise error(
            f"no direction known for score {name!r}; write {name}:max or {name}:min"
        ) from None
