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
from autost.search.derived import check_objective_name

# An accuracy proxy against the cost it buys. The fidelity study (benchmarks/fidelity.py, 24
# trained architectures per space on Fashion-MNIST) found naswot (Mellor et al., ICML 2021)
# the one single proxy that ranks accuracy beyond what FLOPs says, its partial Kendall tau
# given FLOPs above zero with its 95 % interval on the mixed and spikformer spaces, while
# FLOPs (AutoST's proxy) and energy with prior rates rank candidates alike (tau 0.99 on the
# stmixer space), so a flops/energy front offers no trade-off. The README gives the figures.
DEFAULT_OBJECTIVES = ("naswot:max", "energy:min")
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
