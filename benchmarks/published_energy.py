"""autost's prior energy against every published energy, and the fit of the prior rates.

For every published (model, energy) pair of ``autost.cost.conventions.PUBLISHED`` the
preset is counted at the published T and input size and its energy computed with the
``prior`` rates under the paper's own convention. The table prints the published mJ,
autost's mJ under the paper's convention and under autost's default one, the ratio autost /
published, and the leave-one-paper-out (LOPO) prediction: the prior rates refitted without
any pair of that paper, so the error says how well the fit predicts a paper it has not
seen. Target: LOPO error within 25 % for every model.

The fit (``--fit`` prints it; the values stand in ``autost.cost.priors.PRIOR_RATES``):
energy under a convention is linear in the per-role rates, E = fixed + sum_k r_k A_k, with
``fixed`` the dense part (first layer, the head at rate 1) and A_k the
e_ac-weighted MACs of the layers of role k. The rates minimize the squared relative errors
of the pairs, each paper weighing as one (its pairs share its weight: they share a
convention and a training recipe), plus ``--pull`` times the squared relative distance of
each rate from the measured rate of its role (``MEASURED_RATES``), within [0, 1]; the pull
keeps roles that few pairs see (STM's token mixing: one model) near a measurement. The
default pull, 1, makes each measured rate count as much as one paper. A role whose
measurement only bounds it from below (``FLOOR_ROLES``: the SEW stream) is not pulled but
kept at or above it.

The bound: because E is linear in the rates, the least maximum relative error that any
table of per-role rates in [0, 1] can reach on a set of pairs is a linear program. It is
solved in-sample (no pair held out, no pull), so it bounds what any fit of this form can do,
LOPO or not; printed for all pairs and for each paper alone.
Usage:
    python benchmarks/published_energy.py [--fit] [--pull 0.2]
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

import numpy as np
from scipy.optimize import linprog, lsq_linear

from autost.cost import count_costs
from autost.cost.conventions import (
    CONVENTIONS,
    PUBLISHED,
    PublishedEnergy,
    convention_energy,
)
from autost.cost.priors import (
    FITTED_ROLES,
    FLOOR_ROLES,
    MEASURED_RATES,
    PRIOR_RATES,
    prior_rates,
)
from autost.models import get_preset

TARGET = 0.25
# The one model whose paper published its firing rates (QKFormer's table, MEASURED_RATES).
RATE_TABLE_PRESET = "qkformer-hst-10-768"


def _cfg(entry: PublishedEnergy):
    return get_preset(entry.preset).replace(timesteps=entry.timesteps,
                                            input_size=entry.input_size)


def _energy(entry: PublishedEnergy, convention: str, rates_of) -> float:
    cfg = _cfg(entry)
    cost = count_costs(cfg)
    return convention_energy(
        CONVENTIONS[convention], cost, rates_of(cost), in_channels=cfg.in_channels,
        input_size=cfg.input_size).energy_mj


def decompose(entry: PublishedEnergy) -> tuple[float, np.ndarray]:
    """(fixed mJ, mJ per unit rate of each fitted role) under the paper's convention."""
    def rates(role):
        return lambda cost: {layer.name: (1.0 if layer.role == role else 0.0)
                             for layer in cost.mac_layers}

    def head_only(cost):
        return {layer.name: (PRIOR_RATES["head"].rate if layer.role == "head" else 0.0)
                for layer in cost.mac_layers}

    fixed = _energy(entry, entry.convention, head_only)
    per_role = [_energy(entry, entry.convention, rates(role)) - _energy(
        entry, entry.convention, rates(None)) for role in FITTED_ROLES]
    return fixed, np.array(per_role)


def fit(rows: list[tuple[PublishedEnergy, float, np.ndarray]], pull: float) -> np.ndarray:
    """Rates per fitted role: least relative squared error, each paper weighing as one,
    plus the pull toward the measured rate of each role; a FLOOR_ROLES rate is bounded
    below by its measurement instead."""
    anchor = np.array([MEASURED_RATES[role].rate for role in FITTED_ROLES])
    floor = np.array([role in FLOOR_ROLES for role in FITTED_ROLES])
    pairs = Counter(e.convention for e, _, _ in rows)
    weight = [1 / np.sqrt(pairs[e.convention]) for e, _, _ in rows]
    a = [w * coef / e.energy_mj for w, (e, _, coef) in zip(weight, rows, strict=True)]
    b = [w * (e.energy_mj - fixed) / e.energy_mj
         for w, (e, fixed, _) in zip(weight, rows, strict=True)]
    a += list(np.sqrt(pull) * np.diag(1 / anchor)[~floor])
    b += list(np.sqrt(pull) * np.ones(int((~floor).sum())))
    lower = np.where(floor, anchor, 0.0)
    return lsq_linear(np.array(a), np.array(b), bounds=(lower, np.ones(len(anchor)))).x


def least_max_error(rows: list[tuple[PublishedEnergy, float, np.ndarray]]) -> float:
    """The least max_i |E_i(r) / published_i - 1| over rates r in [0, 1] (a linear program
    in r and the bound t: -t <= (fixed_i + A_i r) / published_i - 1 <= t)."""
    k = len(FITTED_ROLES)
    upper, bound = [], []
    for e, fixed, coef in rows:
        upper += [[*coef / e.energy_mj, -1.0], [*-coef / e.energy_mj, -1.0]]
        bound += [1 - fixed / e.energy_mj, fixed / e.energy_mj - 1]
    result = linprog(np.r_[np.zeros(k), 1.0], A_ub=np.array(upper), b_ub=np.array(bound),
                     bounds=[(0.0, 1.0)] * k + [(0.0, None)])
    return float(result.x[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="print the fitted prior rates")
    parser.add_argument("--pull", type=float, default=1.0)
    opts = parser.parse_args()
    rows = [(e, *decompose(e)) for e in PUBLISHED]
    if opts.fit:
        print("fitted prior rates (all pairs):")
        for role, rate in zip(FITTED_ROLES, fit(rows, opts.pull), strict=True):
            print(f"  {role:18} {rate:.4f}   (stored {PRIOR_RATES[role].rate:.4f}, "
                  f"measured {MEASURED_RATES[role].rate:.4f})")
    print(f"{'model':28} {'paper':13} {'published':>9} {'paper conv':>10} {'autost conv':>11} "
          f"{'ratio':>6} {'LOPO':>8} {'LOPO err':>8}")
    errors = []
    for entry, fixed, coef in rows:
        held_out = [r for r in rows if r[0].convention != entry.convention]
        lopo = fixed + coef @ fit(held_out, opts.pull)
        paper = _energy(entry, entry.convention, prior_rates)
        default = _energy(entry, "autost", prior_rates)
        err = lopo / entry.energy_mj - 1
        errors.append(abs(err))
        print(f"{entry.model:28} {entry.convention:13} {entry.energy_mj:9.3f} {paper:10.3f} "
              f"{default:11.3f} {paper / entry.energy_mj:6.2f} {lopo:8.3f} {err:+8.1%}")
    within = sum(e <= TARGET for e in errors)
    print(f"LOPO: median |error| {statistics.median(errors):.1%}, max {max(errors):.1%}; "
          f"{within} of {len(errors)} models within {TARGET:.0%}")
    measured = np.array([MEASURED_RATES[role].rate for role in FITTED_ROLES])
    print("at QKFormer's own published rates (the SEW stream at its feeding neuron's rate):")
    for entry, fixed, coef in rows:
        if entry.preset == RATE_TABLE_PRESET:
            at = fixed + coef @ measured
            print(f"  {entry.model:28} {at:8.3f} mJ against {entry.energy_mj:8.3f} "
                  f"({at / entry.energy_mj:.2f})")
    papers = sorted({e.convention for e, _, _ in rows}, key=list(CONVENTIONS).index)
    print("least possible max |error| of any per-role rates in [0, 1], in-sample:")
    for label, subset in [("all pairs", rows)] + [
            (f"{paper} alone", [r for r in rows if r[0].convention == paper])
            for paper in papers]:
        print(f"  {label:18} {len(subset):2} pairs  {least_max_error(subset):6.1%}")


if __name__ == "__main__":
    main()
