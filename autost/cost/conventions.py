"""Energy the way each paper computes it, and the (model, energy) pairs the papers published.

Every paper charges 4.6 pJ per MAC and 0.9 pJ per accumulate (45 nm, Horowitz ISSCC 2014),
yet their formulas differ in two choices, which a :class:`Convention` records:

- ``first_layer``: ``model``, the model's own encoding layers (dense MACs on analog
  input), or ``conv3x64``, a fixed 3x3 conv from the image to 64 channels at the input
  resolution whatever the width: Spikformer's Table 2 powers minus 0.9 pJ x its published
  OPs leave 1.596 mJ for all five models, which is 4.6 pJ x 4 x (9 x 3 x 64 x 224^2).
- ``first_layer_times_t``: whether the dense first layer runs once per time step.

All of them count the SOPs of every other MAC layer, spike x spike products included
(Spikformer's Table 1 lists the SOPs of QK^T V). ``autost`` (the default) is Spikformer's
formula on the model's own layers: encoding layers dense over T.

Published energies of one model differ further between papers: Spikingformer (Zhou et
al., arXiv 2304.11954) recomputed Spikformer-8-768 at 32.07 mJ against Spikformer's own
21.48 mJ with syops-counter, which charges a layer whose input is not strictly 0/1 (the
spike sums after a SEW residual) by its mean input value or as dense MACs (its appendix G
gives both); those recomputations publish no operation counts, so no convention here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autost.cost.constants import E_AC_PJ, E_MAC_PJ, PJ_PER_MJ
from autost.cost.count import CostReport
from autost.exceptions import CostModelError


@dataclass(frozen=True)
class Convention:
    """How one paper turns MACs and firing rates into mJ (see the module docstring)."""

    name: str
    paper: str
    first_layer: str
    first_layer_times_t: bool
    note: str


@dataclass(frozen=True)
class PublishedEnergy:
    """One published energy: the model as printed, the autost preset it corresponds to
    (with the time steps and input size of the measurement), the convention, and the
    SOPs the paper printed beside it (G per image, over T), if any."""

    model: str
    preset: str
    timesteps: int
    input_size: int
    energy_mj: float
    convention: str
    source: str
    sops_g: float | None = None


CONVENTIONS: dict[str, Convention] = {c.name: c for c in (
    Convention("autost", "autost's default: Spikformer's formula on the model's own layers",
               "model", True,
               "encoding layers dense over T; every other MAC layer at e_ac per SOP"),
    Convention("spikformer", "Spikformer (Zhou et al., ICLR 2023), appendix C.2 and Table 2",
               "conv3x64", True,
               "published OPs are SOPs over T without the encoding layer; the first-layer "
               "term is a 3->64 3x3 conv at the input size for every width"),
    Convention("qkformer", "QKFormer (Zhou et al., NeurIPS 2024), appendix 6.6",
               "model", False,
               "E_MAC x FLOPs of the first conv (no T written) + E_AC x SOPs of the other "
               "convs, QKTA and SSA"),
    Convention("sdt", "Spike-driven Transformer (Yao et al., NeurIPS 2023), supplement",
               "model", False,
               "E_MAC x FLOPs of the first layer (no T) + E_AC x T x sum of rate x FLOPs"),
    Convention("stmixer", "STMixer (Deng et al., NeurIPS 2024)", "model", True,
               "the formula is not available here; at T = 1 the variants differ only in "
               "what they count as dense, and STMixer's encoding layers read the image"),
)}

_SPIKFORMER_T2 = "Spikformer, ICLR 2023, Table 2 (camera-ready)"
_QKFORMER_T2 = "QKFormer, NeurIPS 2024, Table 2"
_SDT = "Spike-driven Transformer, BICLab/Spike-Driven-Transformer README; QKFormer Table 2"

PUBLISHED: tuple[PublishedEnergy, ...] = (
    PublishedEnergy("Spikformer-8-384", "spikformer-8-384", 4, 224, 7.734, "spikformer",
                    _SPIKFORMER_T2, sops_g=6.82),
    PublishedEnergy("Spikformer-6-512", "spikformer-6-512", 4, 224, 9.417, "spikformer",
                    _SPIKFORMER_T2, sops_g=8.69),
    PublishedEnergy("Spikformer-8-512", "spikformer-8-512", 4, 224, 11.577, "spikformer",
                    _SPIKFORMER_T2, sops_g=11.09),
    PublishedEnergy("Spikformer-10-512", "spikformer-10-512", 4, 224, 13.899, "spikformer",
                    _SPIKFORMER_T2, sops_g=13.67),
    PublishedEnergy("Spikformer-8-768", "spikformer-8-768", 4, 224, 21.477, "spikformer",
                    _SPIKFORMER_T2, sops_g=22.09),
    PublishedEnergy("QKFormer HST-10-384", "qkformer-hst-10-384", 4, 224, 15.13, "qkformer",
                    _QKFORMER_T2),
    PublishedEnergy("QKFormer HST-10-512", "qkformer-hst-10-512", 4, 224, 21.99, "qkformer",
                    _QKFORMER_T2),
    PublishedEnergy("QKFormer HST-10-768", "qkformer-hst-10-768", 4, 224, 38.91, "qkformer",
                    _QKFORMER_T2),
    PublishedEnergy("QKFormer HST-10-768, T = 1", "qkformer-hst-10-768", 1, 224, 8.52,
                    "qkformer", _QKFORMER_T2),
    PublishedEnergy("QKFormer HST-10-768, 288", "qkformer-hst-10-768", 4, 288, 64.27,
                    "qkformer", _QKFORMER_T2),
    PublishedEnergy("QKFormer HST-10-768, 384", "qkformer-hst-10-768", 4, 384, 113.64,
                    "qkformer", _QKFORMER_T2),
    PublishedEnergy("SDT-8-384", "sdt-8-384", 4, 224, 3.90, "sdt", _SDT),
    PublishedEnergy("SDT-6-512", "sdt-6-512", 4, 224, 3.56, "sdt", _SDT),
    PublishedEnergy("SDT-8-512", "sdt-8-512", 4, 224, 4.50, "sdt", _SDT),
    PublishedEnergy("SDT-10-512", "sdt-10-512", 4, 224, 5.53, "sdt", _SDT),
    PublishedEnergy("SDT-8-768, 288", "sdt-8-768", 4, 288, 6.09, "sdt", _SDT),
    PublishedEnergy("SDT-8-512, T = 1", "sdt-8-512", 1, 224, 1.13, "sdt", _QKFORMER_T2),
    PublishedEnergy("STMixer-8-768", "stmixer-8-768-16", 1, 224, 4.45, "stmixer",
                    "STMixer, NeurIPS 2024, as reprinted in SMixer (ICLR 2026), comparison "
                    "table (secondary)"),
)


def get_convention(name: str) -> Convention:
    """The convention ``name``; CostModelError naming every known one otherwise."""
    if name not in CONVENTIONS:
        raise CostModelError(f"unknown energy convention {name!r}; known conventions: "
                             f"{', '.join(CONVENTIONS)}")
    return CONVENTIONS[name]


def published_for(preset: str, convention: str, timesteps: int,
                  input_size: int) -> list[PublishedEnergy]:
    """The published energies of ``preset`` under ``convention`` at this T and input size."""
    return [p for p in PUBLISHED if (p.preset, p.convention, p.timesteps, p.input_size)
            == (preset, convention, timesteps, input_size)]


def first_layer_macs(conv: Convention, cost: CostReport, in_channels: int,
                     input_size: int) -> float:
    """Dense MACs per image of the convention's first-layer term (over T where it says)."""
    if conv.first_layer == "conv3x64":
        per_step = 9 * in_channels * 64 * input_size**2
    else:
        per_step = sum(layer.macs_per_step for layer in cost.mac_layers if layer.encoding)
    return per_step * (cost.timesteps if conv.first_layer_times_t else 1)


@dataclass(frozen=True)
class ConventionEnergy:
    """Energy of one model under one convention: dense MACs, SOPs (both per image, over
    T) and mJ."""

    convention: str
    dense_macs: float
    sops: float
    e_mac_pj: float
    e_ac_pj: float

    @property
    def energy_mj(self) -> float:
        return (self.e_mac_pj * self.dense_macs + self.e_ac_pj * self.sops) / PJ_PER_MJ


def convention_energy(conv: Convention, cost: CostReport, rates: Mapping[str, float], *,
                      in_channels: int, input_size: int, e_mac_pj: float = E_MAC_PJ,
                      e_ac_pj: float = E_AC_PJ) -> ConventionEnergy:
    """Energy of the model of ``cost`` with ``rates`` (layer -> SOP rate: a rate pass's
    ``sop_rates()`` or :func:`~autost.cost.priors.prior_rates`) the way ``conv`` computes
    it."""
    dense = first_layer_macs(conv, cost, in_channels, input_size)
    sops = 0.0
    for layer in cost.mac_layers:
        if layer.encoding:
            continue
        if layer.name not in rates:
            raise CostModelError(f"no firing rate for layer {layer.name!r}")
        sops += rates[layer.name] * layer.macs_total
    return ConventionEnergy(conv.name, dense, sops, e_mac_pj, e_ac_pj)


def check_published_ops(entry: PublishedEnergy) -> None:
    """CostModelError, naming the models that have them, unless the paper printed the
    operation count of ``entry``."""
    if entry.sops_g is not None:
        return
    with_counts = sorted({p.preset for p in PUBLISHED
                          if p.convention == entry.convention and p.sops_g is not None})
    where = (f"it printed counts for {', '.join(with_counts)} only" if with_counts
             else "it printed none")
    raise CostModelError(
        f"{CONVENTIONS[entry.convention].paper} printed no operation count for "
        f"{entry.model} ({where}); drop --published-ops to use autost's counts")


def energy_from_published_ops(entry: PublishedEnergy, cost: CostReport, in_channels: int,
                              e_mac_pj: float = E_MAC_PJ,
                              e_ac_pj: float = E_AC_PJ) -> ConventionEnergy:
    """The convention's energy with the SOPs the paper printed and the convention's first
    layer on autost's counts (:func:`check_published_ops` first)."""
    check_published_ops(entry)
    conv = CONVENTIONS[entry.convention]
    dense = first_layer_macs(conv, cost, in_channels, entry.input_size)
    return ConventionEnergy(conv.name, dense, entry.sops_g * 1e9, e_mac_pj, e_ac_pj)
