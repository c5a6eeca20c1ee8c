"""The hypervolume of a set of trained architectures: accuracy up, energy down.

The hypervolume indicator (Zitzler and Thiele, "Multiobjective evolutionary algorithms: a
comparative case study and the strength Pareto approach", IEEE Trans. Evol. Comput., 1999)
is the area that a set of points dominates and that dominates a reference point. It rewards
a set for reaching high accuracy and for reaching it at low energy at once, needs no
weighting of the two, and only the set's non-dominated points count, so handing over a
dominated architecture neither helps nor hurts. Against a reference at chance accuracy and
a fixed energy, a set with nothing better than chance scores zero.
"""

from __future__ import annotations

import numpy as np


def hypervolume(accuracy, energy, ref_accuracy: float, ref_energy: float) -> float:
    """The area of {(a, e): ref_accuracy <= a <= accuracy_i and energy_i <= e <= ref_energy
    for some i}, in units of accuracy times energy.

    Points at or below ``ref_accuracy`` or at or above ``ref_energy`` add nothing. Sweeps the
    points by energy, cheapest first: between two consecutive energies the area's height is
    the best accuracy reached at or below the lower one.
    """
    a = np.asarray(accuracy, dtype=float)
    e = np.asarray(energy, dtype=float)
    if a.shape != e.shape:
        raise ValueError(f"accuracy and energy must be equally long, got {a.shape} and "
                         f"{e.shape}")
    useful = (a > ref_accuracy) & (e < ref_energy)
    a, e = a[useful], e[useful]
    if len(a) == 0:
        return 0.0
    order = np.argsort(e, kind="stable")
    e, best = e[order], np.maximum.accumulate(a[order])
    widths = np.diff(np.r_[e, ref_energy])
    return float(np.sum(widths * (best - ref_accuracy)))
