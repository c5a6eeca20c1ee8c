"""Cost model: parameters and MACs from shapes, firing rates from data, SOPs and energy.

:func:`count_costs` needs no data and allocates no weights (meta device);
:func:`measure_rates` runs one calibration batch; :func:`estimate_energy` combines the two
(or prior or trained rates) into SOPs and mJ per image. Conventions: the README's "What is
measured, and how" and :mod:`autost.cost.energy`.
"""

from autost.cost.count import CostReport, LayerCost, count_costs
from autost.cost.energy import (
    E_AC_PJ,
    E_MAC_PJ,
    RATE_SOURCES,
    EnergyReport,
    LayerEnergy,
    estimate_energy,
)
from autost.cost.priors import PRIOR_RATES, PriorRate, prior_rates
from autost.cost.rates import LayerRate, RateReport, measure_rates

__all__ = [
    "E_AC_PJ",
    "E_MAC_PJ",
    "PRIOR_RATES",
    "RATE_SOURCES",
    "CostReport",
    "EnergyReport",
    "LayerCost",
    "LayerEnergy",
    "LayerRate",
    "PriorRate",
    "RateReport",
    "count_costs",
    "estimate_energy",
    "measure_rates",
    "prior_rates",
]
