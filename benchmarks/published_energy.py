"""autost's prior energy against every published energy, and the fit of the prior rates.

For every published (model, energy) pair of ``autost.cost.conventions.PUBLISHED`` the
preset is counted at the published T and input size and its energy computed with the
``prior`` rates under the paper's own convention. The table prints the published mJ,
autost's mJ under the paper's convention and under autost's default one, the ratio autost /
published, and the leave-one-paper-out (LOPO) prediction: the prior rates refitted without
any pair of that paper, so the error says how well the fit predicts a paper it has not
seen. Target: LOPO error within 25 % for every model.

The fit and the bound are ``autost.cost.prior_fit``: the rates minimize the squared
relative errors of the pairs, each paper weighing as one, plus ``--pull`` times the squared
relative distance of each rate from its measured rate (``MEASURED_RATES``; default 1: each
measurement counts as one paper); the SEW stream's rate (``FLOOR_ROLES``) is only kept
above its measurement. ``--fit`` prints the fitted rates beside the stored ones. The bound
is the least worst-case error that any per-role rates in [0, 1] reach in-sample (a linear
program, no pair held out, no pull): it bounds what any fit of this form can do, LOPO or
not; printed for all pairs and for each paper alone. Last, the energy of the one model
whose paper published its rates, at those rates.
Usage:
    python benchmarks/published_energy.py [--fit] [--pull 1.0]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

from autost.cost.conventions import CONVENTIONS
from autost.cost.prior_fit import (
    DEFAULT_PULL,
    convention_energy_mj,
    fit,
    least_max_error,
    published_rows,
)
from autost.cost.priors import FITTED_ROLES, MEASURED_RATES, PRIOR_RATES, prior_rates

TARGET = 0.25
# The one model whose paper published its firing rates (QKFormer's table, MEASURED_RATES).
RATE_TABLE_PRESET = "qkformer-hst-10-768"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="print the fitted prior rates")
    parser.add_argument("--pull", type=float, default=DEFAULT_PULL)
    opts = parser.parse_args()
    rows = published_rows()
    if opts.fit:
        print("fitted prior rates (all pairs):")
        for role, rate in zip(FITTED_ROLES, fit(rows, opts.pull), strict=True):
            print(f"  {role:18} {rate:.4f}   (stored {PRIOR_RATES[role].rate:.4f}, "
                  f"measured {MEASURED_RATES[role].rate:.4f})")
    print(f"{'model':28} {'paper':13} {'published':>9} {'paper conv':>10} {'autost conv':>11} "
          f"{'ratio':>6} {'LOPO':>8} {'LOPO err':>8}")
    errors = []
    for row in rows:
        entry = row.entry
        held_out = [r for r in rows if r.entry.convention != entry.convention]
        lopo = row.energy_mj(fit(held_out, opts.pull))
        paper = convention_energy_mj(entry, entry.convention, prior_rates)
        default = convention_energy_mj(entry, "autost", prior_rates)
        err = lopo / entry.energy_mj - 1
        errors.append(abs(err))
        print(f"{entry.model:28} {entry.convention:13} {entry.energy_mj:9.3f} {paper:10.3f} "
              f"{default:11.3f} {paper / entry.energy_mj:6.2f} {lopo:8.3f} {err:+8.1%}")
    within = sum(e <= TARGET for e in errors)
    print(f"LOPO: median |error| {statistics.median(errors):.1%}, max {max(errors):.1%}; "
          f"{within} of {len(errors)} models within {TARGET:.0%}")
    measured = np.array([MEASURED_RATES[role].rate for role in FITTED_ROLES])
    print("at QKFormer's own published rates (the SEW stream at its feeding neuron's rate):")
    for row in rows:
        if row.entry.preset == RATE_TABLE_PRESET:
            at = row.energy_mj(measured)
            print(f"  {row.entry.model:28} {at:8.3f} mJ against {row.entry.energy_mj:8.3f} "
                  f"({at / row.entry.energy_mj:.2f})")
    papers = sorted({r.entry.convention for r in rows}, key=list(CONVENTIONS).index)
    print("least possible max |error| of any per-role rates in [0, 1], in-sample:")
    for label, subset in [("all pairs", rows)] + [
            (f"{paper} alone", [r for r in rows if r.entry.convention == paper])
            for paper in papers]:
        print(f"  {label:18} {len(subset):2} pairs  {least_max_error(subset):6.1%}")


if __name__ == "__main__":
    main()
