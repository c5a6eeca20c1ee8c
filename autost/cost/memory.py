"""Memory-aware energy: arithmetic plus data movement, and the quantized twin's break-even.

The compute convention (:mod:`autost.cost.energy`) charges arithmetic only. Yan, Bai, Tang
and Wong (arXiv 2409.08290) and Dampfhoffer et al. (IEEE TETCI 2023) show that once
operands are moved, a spiking network at T steps beats its quantized twin (the same network
with ceil(log2(T+1))-bit activations, one pass) only below a modest spike rate. Per MAC
layer and image, with the parameters of :mod:`autost.cost.hardware`:

======================  ===============================  ================================
what moves              spiking network (T steps)        quantized twin (one pass)
======================  ===============================  ================================
input operands          rate x MACs_total spike events   MACs_per_step x b bits (dense)
                        of 1 bit (sparse)
weights                 params x w bits, once per image  params x w bits
                        (``stationary``) or T times
                        (``per-step``)
stored operand (the     T x elements x 1 bit             elements x b bits
K, V or map of a spike
matrix product)
membrane potentials     T x neurons x p bits, read and   none (no state)
                        written
arithmetic              e_ac x SOPs (encoding layers:    b x e_ac per MAC (a b-bit
                        e_mac x MACs_total)              activation as b shifted adds;
                                                         encoding: e_mac x MACs_per_step)
======================  ===============================  ================================

Each synaptic operation fetches its input operand, as in Yan et al.'s model, where an SNN
makes T x rate accesses per synapse and a quantized network one. An encoding layer reads
analog input (8-bit pixels) on each of its T steps. The potentials of a LIF layer are
charged to the MAC layer before it. A spiking layer's energy is affine in its input rate,
so the break-even rate, the one rate that, given to every non-encoding layer, makes the
spiking network cost what its twin costs, is exact. With ``movement=False`` only the
arithmetic rows count: the compute convention's twin and break-even.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import prod

from autost.cost.constants import PJ_PER_MJ
from autost.cost.count import CostReport
from autost.cost.hardware import (
    ANALOG_INPUT_BITS,
    YAN_BREAKEVEN_FAN_IN,
    YAN_BREAKEVEN_TIMESTEPS,
    Hardware,
    get_hardware,
    twin_bits,
)
from autost.exceptions import CostModelError

_STORED_OPERAND_KIND = "SpikeMatMul"
_NEURON_KIND = "LIF"


@dataclass(frozen=True)
class LayerTraffic:
    """What one MAC layer computes and stores, per image (shapes per time step)."""

    name: str
    encoding: bool
    macs_per_step: int
    steps: int
    params: int
    input_elements: int
    stored_elements: int
    neurons: int

    @property
    def macs_total(self) -> int:
        return self.macs_per_step * self.steps


def layer_traffic(cost: CostReport) -> tuple[LayerTraffic, ...]:
    """The MAC layers of ``cost``, each with the LIF neurons that follow it."""
    neurons: dict[str, int] = {}
    last = None
    for layer in cost.layers:
        if layer.is_mac:
            last = layer.name
            neurons.setdefault(last, 0)
        elif layer.kind == _NEURON_KIND and last is not None:
            neurons[last] += prod(layer.output_shape)
    return tuple(LayerTraffic(
        name=layer.name, encoding=layer.encoding, macs_per_step=layer.macs_per_step,
        steps=layer.steps, params=layer.params,
        input_elements=prod(layer.input_shapes[0]),
        stored_elements=(prod(layer.input_shapes[1]) if layer.kind == _STORED_OPERAND_KIND
                         else 0),
        neurons=neurons[layer.name]) for layer in cost.mac_layers)


@dataclass(frozen=True)
class Affine:
    """Energy in pJ as ``fixed + slope x rate``."""

    fixed: float
    slope: float = 0.0

    def at(self, rate: float) -> float:
        return self.fixed + self.slope * rate


@dataclass(frozen=True)
class LayerTerms:
    """One layer: the spiking network's compute and movement (affine in its rate) and the
    twin's compute and movement, pJ per image."""

    name: str
    encoding: bool
    compute: Affine
    movement: Affine
    twin_compute: float
    twin_movement: float


def layer_terms(layer: LayerTraffic, hw: Hardware, *, timesteps: int, weight_reuse: str,
                e_ac_pj: float, e_mac_pj: float, movement: bool = True) -> LayerTerms:
    """The energy terms of ``layer`` (see the module's table)."""
    b = twin_bits(timesteps)
    if layer.encoding:
        compute = Affine(e_mac_pj * layer.macs_total)
        twin_compute = e_mac_pj * layer.macs_per_step
    else:
        compute = Affine(0.0, e_ac_pj * layer.macs_total)
        twin_compute = b * e_ac_pj * layer.macs_per_step
    if not movement:
        return LayerTerms(layer.name, layer.encoding, compute, Affine(0.0), twin_compute, 0.0)
    weight_bits = layer.params * hw.weight_bits
    weights = weight_bits * hw.pj_per_bit(weight_bits)
    weight_reads = layer.steps if weight_reuse == "per-step" else 1
    potential_bits = layer.neurons * hw.potential_bits
    potentials = 2 * layer.steps * potential_bits * hw.pj_per_bit(potential_bits)
    stored = layer.steps * layer.stored_elements * hw.pj_per_bit(layer.stored_elements)
    twin_stored = layer.stored_elements * b * hw.pj_per_bit(layer.stored_elements * b)
    fixed = weights * weight_reads + potentials + stored
    if layer.encoding:
        bits = layer.input_elements * ANALOG_INPUT_BITS
        per_fetch = ANALOG_INPUT_BITS * hw.dense_pj_per_bit(bits)
        moved = Affine(fixed + per_fetch * layer.macs_total)
        twin_inputs = per_fetch * layer.macs_per_step
    else:
        moved = Affine(fixed, layer.macs_total * hw.sparse_pj_per_bit(layer.input_elements))
        twin_inputs = (layer.macs_per_step * b
                       * hw.dense_pj_per_bit(layer.input_elements * b))
    return LayerTerms(layer.name, layer.encoding, compute, moved, twin_compute,
                      weights + twin_stored + twin_inputs)


@dataclass(frozen=True)
class LayerMemoryEnergy:
    """One MAC layer under the memory model: the rate used, the spiking network's compute
    and data-movement energy and the twin's total, pJ per image."""

    name: str
    rate: float | None
    compute_pj: float
    movement_pj: float
    twin_pj: float


@dataclass(frozen=True)
class MemoryEnergyReport:
    """The spiking network and its quantized twin, per image, with the break-even rate and
    the MAC-weighted mean rate of the non-encoding layers (the uniform rate with the same
    SOPs)."""

    hardware: str
    weight_reuse: str
    twin_bits: int
    layers: tuple[LayerMemoryEnergy, ...]
    breakeven_rate: float | None
    mean_rate: float | None

    @property
    def compute_mj(self) -> float:
        return sum(layer.compute_pj for layer in self.layers) / PJ_PER_MJ

    @property
    def movement_mj(self) -> float:
        return sum(layer.movement_pj for layer in self.layers) / PJ_PER_MJ

    @property
    def energy_mj(self) -> float:
        return self.compute_mj + self.movement_mj

    @property
    def twin_mj(self) -> float:
        return sum(layer.twin_pj for layer in self.layers) / PJ_PER_MJ

    def to_dict(self) -> dict:
        return {"hardware": self.hardware, "weight_reuse": self.weight_reuse,
                "twin_bits": self.twin_bits, "compute_mj": self.compute_mj,
                "movement_mj": self.movement_mj, "energy_mj": self.energy_mj,
                "twin_mj": self.twin_mj, "breakeven_rate": self.breakeven_rate,
                "mean_rate": self.mean_rate}


def breakeven_rate(terms: tuple[LayerTerms, ...]) -> float | None:
    """The rate that, given to every non-encoding layer, makes the spiking network cost what
    its twin costs; None without a non-encoding layer. Above 1: the spiking network is the
    cheaper at any rate."""
    fixed = sum(t.compute.fixed + t.movement.fixed for t in terms)
    slope = sum(t.compute.slope + t.movement.slope for t in terms)
    twin = sum(t.twin_compute + t.twin_movement for t in terms)
    return (twin - fixed) / slope if slope else None


def memory_energy(traffic: tuple[LayerTraffic, ...], rates: Mapping[str, float] | None,
                  hw: Hardware, *, timesteps: int, weight_reuse: str, e_ac_pj: float,
                  e_mac_pj: float, movement: bool = True) -> MemoryEnergyReport:
    """The memory model of ``traffic`` with ``rates`` (layer -> SOP rate of every
    non-encoding layer; None: the break-even and the twin only, layer energies at rate 0)."""
    e_ac_pj = hw.e_ac_pj if hw.e_ac_pj is not None and movement else e_ac_pj
    e_mac_pj = hw.e_mac_pj if hw.e_mac_pj is not None and movement else e_mac_pj
    terms = tuple(layer_terms(layer, hw, timesteps=timesteps, weight_reuse=weight_reuse,
                              e_ac_pj=e_ac_pj, e_mac_pj=e_mac_pj, movement=movement)
                  for layer in traffic)
    layers = []
    for t in terms:
        rate = None if t.encoding else _rate(rates, t.name)
        at = rate or 0.0
        layers.append(LayerMemoryEnergy(t.name, rate, t.compute.at(at), t.movement.at(at),
                                        t.twin_compute + t.twin_movement))
    return MemoryEnergyReport(hw.name, weight_reuse, twin_bits(timesteps), tuple(layers),
                              breakeven_rate(terms), _mean_rate(traffic, rates))


def _rate(rates: Mapping[str, float] | None, name: str) -> float | None:
    if rates is None:
        return None
    if name not in rates:
        raise CostModelError(f"no firing rate for layer {name!r}; the rates must come from a "
                             "model built from the same architecture")
    return rates[name]


def _mean_rate(traffic, rates) -> float | None:
    spiking = [layer for layer in traffic if not layer.encoding]
    macs = sum(layer.macs_total for layer in spiking)
    if rates is None or not macs:
        return None
    return sum(rates[layer.name] * layer.macs_total for layer in spiking) / macs


def yan_breakeven_rate(weight_reuse: str = "stationary") -> float:
    """The break-even rate of Yan et al.'s setting: one fully connected layer of fan-in and
    fan-out 4096 at T = 5 on their typical neuromorphic hardware (they print 5.7 % in
    version 4, 6.4 % in versions 2 and 3, with weights kept over the steps)."""
    n, t = YAN_BREAKEVEN_FAN_IN, YAN_BREAKEVEN_TIMESTEPS
    layer = LayerTraffic("fc", encoding=False, macs_per_step=n * n, steps=t, params=n * n,
                         input_elements=n, stored_elements=0, neurons=n)
    return memory_energy((layer,), None, get_hardware("yan-typical"), timesteps=t,
                         weight_reuse=weight_reuse, e_ac_pj=0.0,
                         e_mac_pj=0.0).breakeven_rate
