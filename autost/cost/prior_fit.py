"""Fitting the prior rates to the published energies, and the best any such fit can do.

Energy under a paper's convention is linear in the per-role rates: E = fixed + sum_k r_k A_k,
with ``fixed`` the dense part (the convention's first layer, the head at rate 1) and A_k the
mJ that the layers of role k cost at rate 1 (:func:`decompose`). So fitting the rates is a
bounded least-squares problem (:func:`fit`) and the least worst-case relative error that any
table of rates in [0, 1] can reach on a set of published pairs is a linear program
(:func:`least_max_error`). ``benchmarks/published_energy.py`` prints both; the stored rates
of :mod:`autost.cost.priors` are ``fit(published_rows(), DEFAULT_PULL)`` rounded to 4 digits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.optimize import linprog, lsq_linear

from autost.arch import ArchConfig
from autost.cost.conventions import CONVENTIONS, PUBLISHED, PublishedEnergy, convention_energy
from autost.cost.count import CostReport, count_costs
from autost.cost.priors import FITTED_ROLES, FLOOR_ROLES, MEASURED_RATES, PRIOR_RATES

# Each measured rate weighs as much as one paper.
DEFAULT_PULL = 1.0


@dataclass(frozen=True)
class PublishedRow:
    """One published pair, decomposed: E(rates) = fixed_mj + per_role_mj @ rates."""

    entry: PublishedEnergy
    fixed_mj: float
    per_role_mj: np.ndarray

    def energy_mj(self, rates: np.ndarray) -> float:
        return float(self.fixed_mj + self.per_role_mj @ rates)


@cache
def _counted(entry: PublishedEnergy) -> tuple[ArchConfig, CostReport]:
    """``entry``'s preset at its published T and input size, and its costs (counted once:
    the decomposition and the tables compute several energies of each pair)."""
    from autost.models import get_preset

    cfg = get_preset(entry.preset).replace(timesteps=entry.timesteps,
                                           input_size=entry.input_size)
    return cfg, count_costs(cfg)


def convention_energy_mj(entry: PublishedEnergy, convention: str, rates_of) -> float:
    """Energy of ``entry``'s preset at its published T and input size under ``convention``,
    with ``rates_of(cost)`` giving each MAC layer's rate."""
    cfg, cost = _counted(entry)
    return convention_energy(CONVENTIONS[convention], cost, rates_of(cost),
                             in_channels=cfg.in_channels, input_size=cfg.input_size).energy_mj


def decompose(entry: PublishedEnergy) -> PublishedRow:
    """``entry`` under its paper's convention as fixed mJ plus mJ per unit rate of each
    fitted role."""
    def only(role):
        return lambda cost: {layer.name: (1.0 if layer.role == role else 0.0)
                             for layer in cost.mac_layers}

    def head_only(cost):
        return {layer.name: (PRIOR_RATES["head"].rate if layer.role == "head" else 0.0)
                for layer in cost.mac_layers}

    fixed = convention_energy_mj(entry, entry.convention, head_only)
    zero = convention_energy_mj(entry, entry.convention, only(None))
    per_role = [convention_energy_mj(entry, entry.convention, only(role)) - zero
                for role in FITTED_ROLES]
    return PublishedRow(entry, fixed, np.array(per_role))


def published_rows() -> list[PublishedRow]:
    """Every published pair of :data:`~autost.cost.conventions.PUBLISHED`, decomposed."""
    return [decompose(entry) for entry in PUBLISHED]


def fit(rows: list[PublishedRow], pull: float = DEFAULT_PULL) -> np.ndarray:
    """Rates per fitted role: the least squared relative error, each paper weighing as one
    (its pairs share one convention and one training recipe), plus ``pull`` times the
    squared relative distance of each rate from its measurement; a FLOOR_ROLES rate is
    bounded below by its measurement instead of pulled toward it. Rates within [0, 1]."""
    anchor = np.array([MEASURED_RATES[role].rate for role in FITTED_ROLES])
    floor = np.array([role in FLOOR_ROLES for role in FITTED_ROLES])
    pairs = Counter(row.entry.convention for row in rows)
    a, b = [], []
    for row in rows:
        weight = 1 / np.sqrt(pairs[row.entry.convention]) / row.entry.energy_mj
        a.append(weight * row.per_role_mj)
        b.append(weight * (row.entry.energy_mj - row.fixed_mj))
    a += list(np.sqrt(pull) * np.diag(1 / anchor)[~floor])
    b += [np.sqrt(pull)] * int((~floor).sum())
    lower = np.where(floor, anchor, 0.0)
    return lsq_linear(np.array(a), np.array(b), bounds=(lower, np.ones(len(anchor)))).x


def least_max_error(rows: list[PublishedRow]) -> float:
    """The least max |E(r) / published - 1| over the rows that any rates r in [0, 1] reach:
    a linear program in r and the bound t, -t <= E_i(r) / published_i - 1 <= t."""
    k = len(FITTED_ROLES)
    upper, bound = [], []
    for row in rows:
        scale = 1 / row.entry.energy_mj
        rest = 1 - row.fixed_mj * scale
        upper += [[*row.per_role_mj * scale, -1.0], [*-row.per_role_mj * scale, -1.0]]
        bound += [rest, -rest]
    result = linprog(np.r_[np.zeros(k), 1.0], A_ub=np.array(upper), b_ub=np.array(bound),
                     bounds=[(0.0, 1.0)] * k + [(0.0, None)])
    return float(result.x[-1])
