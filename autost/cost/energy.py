"""SOPs and energy per image from a cost report and per-layer rates.

SOP(l) = rate(l) x MACs_per_step(l) x steps(l) for every MAC layer that is not an encoding
layer, where rate(l) is the fraction of the layer's MACs triggered by non-zero inputs
(:attr:`autost.cost.rates.LayerRate.sop_rate`). Encoding layers (the model's
``encoding_layers()``) read analog values, the image or analog features (``ms`` SPS's RPE
conv), and are dense: E = e_mac x MACs_per_step(encoding) x T + e_ac x sum of SOPs, with
the 45 nm e_mac and e_ac of :mod:`autost.cost.constants` (as Spikformer appendix C.2 and
QKFormer appendix 6.6), reported in mJ per image. BatchNorm is taken as folded into the
preceding layer and costs nothing (QKFormer appendix 6.6); element-wise work is not in the
energy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autost.cost.constants import E_AC_PJ, E_MAC_PJ, PJ_PER_MJ, RATE_SOURCES
from autost.cost.count import CostReport
from autost.exceptions import CostModelError


@dataclass(frozen=True)
class LayerEnergy:
    """One MAC layer: the rate used (None for a dense encoding layer), SOPs and energy."""

    name: str
    rate: float | None
    sops: float
    energy_pj: float


@dataclass(frozen=True)
class EnergyReport:
    """SOPs (per image, over T) and energy (mJ per image), labelled with the rate source."""

    rate_source: str
    e_mac_pj: float
    e_ac_pj: float
    layers: tuple[LayerEnergy, ...]

    @property
    def sops(self) -> float:
        return sum(layer.sops for layer in self.layers)

    @property
    def energy_mj(self) -> float:
        return sum(layer.energy_pj for layer in self.layers) / PJ_PER_MJ

    def share(self, name: str) -> float:
        """Fraction of the total energy spent in layer ``name``."""
        total = sum(layer.energy_pj for layer in self.layers)
        layer = next(lay for lay in self.layers if lay.name == name)
        return layer.energy_pj / total if total else 0.0


def estimate_energy(cost: CostReport, rates: Mapping[str, float], *, rate_source: str,
                    e_mac_pj: float = E_MAC_PJ, e_ac_pj: float = E_AC_PJ) -> EnergyReport:
    """SOPs and energy of every MAC layer of ``cost`` with ``rates`` (layer name -> rate).

    ``rates`` must cover every non-encoding MAC layer: the ``sop_rates()`` of a rate pass
    (``init`` or ``trained``) or :func:`autost.cost.priors.prior_rates` (``prior``).
    """
    if rate_source not in RATE_SOURCES:
        raise CostModelError(f"rate source {rate_source!r} is not one of "
                             f"{', '.join(RATE_SOURCES)}")
    layers = []
    for layer in cost.mac_layers:
        if layer.encoding:
            layers.append(LayerEnergy(layer.name, None, 0.0,
                                      e_mac_pj * layer.macs_total))
            continue
        if layer.name not in rates:
            raise CostModelError(f"no {rate_source} firing rate for layer {layer.name!r}; "
                                 "the rates must come from a model built from the same "
                                 "architecture")
        sops = rates[layer.name] * layer.macs_total
        layers.append(LayerEnergy(layer.name, rates[layer.name], sops, e_ac_pj * sops))
    return EnergyReport(rate_source, e_mac_pj, e_ac_pj, tuple(layers))
