"""Objectives ("flops:max") and ceilings ("--max-params 12M") of a search.

An objective (:mod:`autost.proxies.objective`) of a search must name a proxy; without a direction
it takes the proxy's own. A constraint is a ceiling on one score; the trial reports
it through ``trial.set_constraint(name, (value - ceiling) / ceiling)``, so <= 0 is feasible
and violations of different units (parameters, mJ) add up as fractions over the ceiling,
which is what TPE and NSGA-II sum when they rank infeasible trials.
"""

from __future__ import annotations

from dataclasses import dataclass

from autost.exceptions import SearchConfigError, UnknownSettingError, unknown_name
from autost.proxies.objective import Objective, objective_name, parse_objective
from autost.quantity import parse_quantity
from autost.search.derived import (
    PREDICTED,
    check_objective_name,
    check_surrogate,
    load_predictor,
)

# Predicted accuracy against the energy it costs. The built-in predictor (a ridge on flops and
# zico of each candidate's keep8 surrogate, fitted on Fashion-MNIST trainings of 120
# architectures of five spaces) ranked trained accuracy better than FLOPs and naswot on every
# space it was not fitted on (leave-one-space-out Kendall tau +0.54 on average against +0.25
# and +0.03); the README gives the figures. FLOPs and energy with prior rates rank
# candidates alike (tau 0.99 on the stmixer space), so a flops/energy front would offer no
# trade-off.
DEFAULT_OBJECTIVES = ("predicted:max", "energy:min")
DEFAULT_PREDICTOR = "builtin"
# For a space whose candidates the built-in predictor's surrogate cannot shrink: naswot
# (Mellor et al., ICML 2021), scored on the full-size candidate, against energy.
FALLBACK_OBJECTIVES = ("naswot:max", "energy:min")
# Ceiling name -> (score key in ScoreResult.values, proxy that must be computed, unit).
CEILINGS = {
    "max_params": ("params", "params", "parameters"),
    "max_macs": ("macs_total", "flops", "MACs per image over all time steps"),
    "max_energy_mj": ("energy", "energy", "mJ per image"),
}


@dataclass(frozen=True)
class Constraint:
    """A ceiling on one score (see CEILINGS for the names and units)."""

    name: str
    ceiling: float

    @property
    def score_key(self) -> str:
        return CEILINGS[self.name][0]

    @property
    def proxy(self) -> str:
        return CEILINGS[self.name][1]

    def violation(self, values: dict[str, float]) -> float:
        """Fraction by which the score exceeds the ceiling (<= 0 means feasible)."""
        return (values[self.score_key] - self.ceiling) / self.ceiling


def parse_search_objective(spec: str) -> Objective:
    """Parse "name:max", "name:min" or a bare name (its own direction): a proxy, a rank
    aggregate "a+b+c" or "predicted" (see autost.search.derived; both maximized by default)."""
    check_objective_name(objective_name(spec))
    return parse_objective(spec, error=SearchConfigError)


def parse_objectives(specs) -> tuple[Objective, ...]:
    """Parse several specs; the same proxy twice is an error (Optuna needs distinct values)."""
    objectives = tuple(parse_search_objective(s) for s in specs)
    if not objectives:
        raise SearchConfigError("give at least one objective, e.g. --objective flops:max")
    names = [o.name for o in objectives]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SearchConfigError(f"objective {', '.join(twice)} given twice; give each once")
    return objectives


def build_constraints(space_ceilings: dict, overrides: dict) -> tuple[Constraint, ...]:
    """The space's ceilings with the command line's on top (None leaves the space's)."""
    merged = dict(space_ceilings or {})
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = sorted(set(merged) - set(CEILINGS))
    if unknown:
        raise unknown_name("constraint", unknown[0], CEILINGS, UnknownSettingError)
    return tuple(Constraint(name, parse_quantity(merged[name], name.replace("_", "-"),
                                                     SearchConfigError))
                 for name in CEILINGS if name in merged)


def chosen_objectives(space, objectives, predictor: str | None, storage=None
                      ) -> tuple[list[str], object | None, str | None]:
    """(objective specs, Predictor or None, note or None) a search of ``space`` runs with.

    Given neither ``objectives`` nor ``predictor``: DEFAULT_OBJECTIVES with the built-in
    DEFAULT_PREDICTOR, or FALLBACK_OBJECTIVES where that predictor's surrogate cannot shrink
    the space's candidates (the note says so). Otherwise the given objectives and the named
    predictor (built in, or stored in ``storage``; DEFAULT_PREDICTOR when an objective is
    ``predicted`` and none is named), its surrogate checked against the space.
    """
    if objectives is None and predictor is None:
        fitted = load_predictor(None, DEFAULT_PREDICTOR)
        try:
            check_surrogate(space, fitted)
        except SearchConfigError as e:
            return list(FALLBACK_OBJECTIVES), None, (
                f"{e}; searching the other default objectives, "
                f"{' and '.join(FALLBACK_OBJECTIVES)}")
        return list(DEFAULT_OBJECTIVES), fitted, None
    if predictor is None and any(objective_name(o) == PREDICTED for o in objectives):
        predictor = DEFAULT_PREDICTOR
    fitted = load_predictor(storage, predictor) if predictor is not None else None
    if fitted is not None:
        check_surrogate(space, fitted)
    return objectives, fitted, None
