"""Hardware parameters of the memory-aware energy model: every constant, its unit and source.

Importable without torch (the score settings check names against it). Two named sets:

- ``horowitz45``: a 45 nm accelerator with the memory energies of Horowitz ("Computing's
  energy problem (and what we can do about it)", ISSCC 2014): a 64-bit read costs 10 pJ
  from an 8 KB SRAM, 20 pJ from 32 KB, 100 pJ from 1 MB and 1.3-2.6 nJ from DRAM (the
  lower end here). A tensor is stored in the smallest level that holds it. Weights and
  membrane potentials are 32-bit, the datatype of the compute convention's 0.9 pJ float
  add; a spike costs what any bit of the activation memory costs (no routing overhead).
- ``yan-typical``: the "typical neuromorphic hardware" of Yan, Bai, (Tang) and Wong
  ("Reconsidering the energy efficiency of spiking neural networks", arXiv 2409.08290):
  22 nm accumulate 0.05448 pJ, a sparse spike event moved at 3.0 pJ per bit per hop (Loihi's
  routing energy, metadata included) against 0.25 pJ per bit per hop for dense data, one
  hop, 4-bit weights. Weights, potentials and stored operands stay in the cores' local
  memories; the paper's text gives no SRAM energy, so they cost Horowitz's 8 KB SRAM read
  (10 pJ per 64 bits), and the dense encoding layer keeps the settings' e_mac.

Bits not given by either paper are autost's choices and say so: the potentials of
``yan-typical`` (16 bits) and the 8-bit analog input of the encoding layers (an image).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2

from autost.exceptions import unknown_name

HOROWITZ = "Horowitz, ISSCC 2014 (45 nm)"
YAN = "Yan, Bai, Tang and Wong, arXiv 2409.08290, typical neuromorphic hardware"

# Energy models: ``compute`` counts arithmetic only (autost.cost.energy); ``memory`` adds
# the data movement of autost.cost.memory.
ENERGY_MODELS = ("compute", "memory")
DEFAULT_ENERGY_MODEL = "compute"
# How often the weights of a layer are read per image: once (kept in the processing
# elements over the T steps: weight-stationary) or once per time step.
WEIGHT_REUSE = ("stationary", "per-step")

BITS_PER_ACCESS = 64  # Horowitz's memory energies are per 64-bit access
# Horowitz's memory levels: (capacity in bytes, pJ per 64-bit read); DRAM holds the rest.
SRAM_LEVELS_PJ = ((8 * 1024, 10.0), (32 * 1024, 20.0), (1024 * 1024, 100.0))
DRAM_PJ = 1300.0  # 1.3-2.6 nJ per 64-bit DRAM access; the lower end
ANALOG_INPUT_BITS = 8  # bits of one input value of an encoding layer (an 8-bit pixel)

YAN_E_ACC_PJ = 0.05448  # accumulate (= their compare and subtract), 22 nm
YAN_SPARSE_MOVE_PJ_PER_BIT = 3.0  # per bit per hop, sparse spike events
YAN_DENSE_MOVE_PJ_PER_BIT = 0.25  # per bit per hop, dense activations
YAN_WEIGHT_BITS = 4
# The setting of their break-even figure: T = 5, fan-in 4096, 4-bit weights; the figure is
# 6.4 % in versions 2 and 3 of the paper and 5.7 % in version 4.
YAN_BREAKEVEN_TIMESTEPS = 5
YAN_BREAKEVEN_FAN_IN = 4096
YAN_BREAKEVEN_RATES = (0.057, 0.064)


def twin_bits(timesteps: int) -> int:
    """Activation bits of the quantized twin of a T-step network: ceil(log2(T + 1)), the
    bits that hold a spike count 0..T (Yan et al., Theorem 1)."""
    return max(1, ceil(log2(timesteps + 1)))


@dataclass(frozen=True)
class Hardware:
    """One set of hardware parameters (see the module docstring).

    ``e_ac_pj``/``e_mac_pj``: None takes the score settings' (the compute convention's).
    ``sparse_move_pj_per_bit``/``dense_move_pj_per_bit``: energy to bring one bit of a
    spike event or of a dense activation to a synapse, per hop; None reads it from the
    memory level of the layer's input activations. ``local_pj_per_bit``: read energy of
    a stored tensor (weights, potentials, a stored operand) kept in local memories; None
    stores each in the smallest level that holds it.
    """

    name: str
    source: str
    weight_bits: int
    potential_bits: int
    e_ac_pj: float | None = None
    e_mac_pj: float | None = None
    sparse_move_pj_per_bit: float | None = None
    dense_move_pj_per_bit: float | None = None
    hops: float = 1.0
    local_pj_per_bit: float | None = None

    def pj_per_bit(self, stored_bits: float) -> float:
        """Read energy per bit of a tensor of ``stored_bits`` bits: the local memories', or
        that of the smallest of Horowitz's levels that holds it."""
        if self.local_pj_per_bit is not None:
            return self.local_pj_per_bit
        for capacity, pj in SRAM_LEVELS_PJ:
            if stored_bits <= 8 * capacity:
                return pj / BITS_PER_ACCESS
        return DRAM_PJ / BITS_PER_ACCESS

    def sparse_pj_per_bit(self, activation_bits: float) -> float:
        if self.sparse_move_pj_per_bit is None:
            return self.pj_per_bit(activation_bits)
        return self.sparse_move_pj_per_bit * self.hops

    def dense_pj_per_bit(self, activation_bits: float) -> float:
        if self.dense_move_pj_per_bit is None:
            return self.pj_per_bit(activation_bits)
        return self.dense_move_pj_per_bit * self.hops


HARDWARE: dict[str, Hardware] = {h.name: h for h in (
    Hardware("horowitz45", HOROWITZ, weight_bits=32, potential_bits=32),
    Hardware("yan-typical", YAN, weight_bits=YAN_WEIGHT_BITS, potential_bits=16,
             e_ac_pj=YAN_E_ACC_PJ, sparse_move_pj_per_bit=YAN_SPARSE_MOVE_PJ_PER_BIT,
             dense_move_pj_per_bit=YAN_DENSE_MOVE_PJ_PER_BIT,
             local_pj_per_bit=SRAM_LEVELS_PJ[0][1] / BITS_PER_ACCESS),
)}
DEFAULT_HARDWARE = "horowitz45"


def get_hardware(name: str) -> Hardware:
    """The hardware set ``name``; UnknownNameError naming the known ones otherwise."""
    if name not in HARDWARE:
        raise unknown_name("hardware set", name, HARDWARE)
    return HARDWARE[name]


def check_energy_model(name: str, option: str | None = None) -> str:
    """``name`` if it is a known energy model; UnknownNameError naming them otherwise."""
    if name not in ENERGY_MODELS:
        raise unknown_name("energy model", name, ENERGY_MODELS)
    return name


def check_hardware(name: str, option: str | None = None) -> str:
    """``name`` if it is a known hardware set (:func:`get_hardware`)."""
    return get_hardware(name).name


def check_weight_reuse(name: str) -> str:
    if name not in WEIGHT_REUSE:
        raise unknown_name("weight reuse", name, WEIGHT_REUSE)
    return name
