"""Cost model: parameters and MACs from shapes, firing rates from data, SOPs and energy.

:func:`count_costs` needs no data and allocates no weights (meta device);
:func:`measure_rates` runs one calibration batch; :func:`estimate_energy` combines the two
(or prior or trained rates) into SOPs and mJ per image. Conventions: the README's "What is
measured, and how" and :mod:`autost.cost.energy`. The constants (per-operation energies,
rate sources) import without torch; the rest imports it on first use.
"""

from autost.cost.constants import E_AC_PJ, E_MAC_PJ, RATE_SOURCES, SCORING_RATE_SOURCES
from autost.lazy import lazy_attributes

_LAZY = {
    **dict.fromkeys(("CostReport", "LayerCost", "count_costs"), "autost.cost.count"),
    **dict.fromkeys(("EnergyReport", "LayerEnergy", "estimate_energy"), "autost.cost.energy"),
    **dict.fromkeys(("PRIOR_RATES", "PriorRate", "prior_rates"), "autost.cost.priors"),
    **dict.fromkeys(("LayerRate", "RateReport", "measure_rates"), "autost.cost.rates"),
}

__all__ = ["E_AC_PJ", "E_MAC_PJ", "RATE_SOURCES", "SCORING_RATE_SOURCES", *_LAZY]
__getattr__ = lazy_attributes(__name__, _LAZY)
