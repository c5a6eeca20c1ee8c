"""Prior firing rates: typical input rates of each layer role, fitted to published energies.

The rate source ``prior`` needs no data: every MAC layer gets the rate of its role. The
rates are fitted (``benchmarks/published_energy.py --fit``) so that autost's energy of the
published ImageNet models of Spikformer (ICLR 2023, Table 2), QKFormer (NeurIPS 2024,
Table 2) and STMixer (NeurIPS 2024), each computed under its paper's convention
(:mod:`autost.cost.conventions`), is closest to the published figure in relative squared
error, with a pull toward the one published per-layer rate table of this family:
QKFormer's (HST-10-768 on ImageNet, stage 1 / stage 2), whose two-stage mean of the neuron
a role's layers read is ``MEASURED_RATES``. The residual stream's rate (``block_input``)
comes out far above QKFormer's measured 0.23: after a SEW residual the stream is a sum of
spikes, so more of it is non-zero than any one neuron's output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from torch import nn

from autost.layers.head import ClassificationHead
from autost.layers.ops import SpikeMatMul
from autost.layers.stm import TokenMixingLinear

QKFORMER = "QKFormer NeurIPS 2024 firing-rate table, HST-10-768 ImageNet"


@dataclass(frozen=True)
class PriorRate:
    rate: float
    source: str


# QKFormer's published neuron rates, stage 1 / stage 2.
_Q = (0.0432 + 0.0231) / 2
_K = (0.1784 + 0.0847) / 2
_ALL = (0.0432, 0.0231, 0.1784, 0.0847, 0.3477, 0.2655, 0.0832, 0.0350, 0.1478, 0.0577,
        0.0518, 0.0246, 0.2733, 0.1869)

# QKFormer's measured rate for each role: the neuron whose spikes the role's layers read.
MEASURED_RATES: dict[str, float] = {
    # MLP layer 2, the branch output that feeds the residual stream
    "block_input": (0.2733 + 0.1869) / 2,
    # Q x K: a spike x spike product performs the pairs where both operands fire
    "attention_product": _Q * _K,
    # X' = A_t (.) K, the attention output the projection reads
    "mixer_output": (0.0832 + 0.0350) / 2,
    # K, the spikes QKTA mixes along tokens (STM's input is alike)
    "token_mixing": _K,
    # MLP layer 1, the hidden spikes fc2 reads
    "mlp_hidden": (0.0518 + 0.0246) / 2,
    # no published patch-splitter rates: the mean of all 14 rates
    "patch": sum(_ALL) / len(_ALL),
}
FITTED_ROLES = tuple(MEASURED_RATES)

FITTED = ("fitted to the published ImageNet energies of Spikformer, QKFormer and STMixer, "
          "each under its paper's convention (autost.cost.conventions; "
          "benchmarks/published_energy.py --fit), pulled toward QKFormer's measured rate")

# Rates fitted by benchmarks/published_energy.py --fit (pull 0.2), rounded to 4 digits.
_FIT = {"block_input": 0.5839, "attention_product": 0.0044, "mixer_output": 0.0625,
        "token_mixing": 0.1310, "mlp_hidden": 0.0438, "patch": 0.2594}

PRIOR_RATES: dict[str, PriorRate] = {
    **{role: PriorRate(_FIT[role], f"{FITTED} ({MEASURED_RATES[role]:.4f}, {QKFORMER})")
       for role in FITTED_ROLES},
    "head": PriorRate(
        1.0, "the head reads the token mean of the stream, non-zero almost everywhere"),
}


def layer_role(modules: Mapping[str, nn.Module], name: str, encoding: bool) -> str:
    """The role of MAC layer ``name`` (``modules``: the named modules of the model or of the
    part counted, named as in the model): which spikes it reads, for its prior rate.

    Relies on the encoder block's ``token_mixer`` / ``channel_mixer`` attributes and on
    the projection names of the mixer cores (``proj``, ``fc_out``, ``fc2``).
    """
    module = modules[name]
    if encoding:
        return "encoding"
    if type(module) is SpikeMatMul:
        return "attention_product"
    if type(module) is TokenMixingLinear:
        return "token_mixing"
    parts = name.split(".")
    owner = parts[-2] if len(parts) > 1 else ""
    if "token_mixer" in parts:
        return "mixer_output" if owner in ("proj", "fc_out") else "block_input"
    if "channel_mixer" in parts:
        return "mlp_hidden" if owner == "fc2" else "block_input"
    for i in range(1, len(parts)):
        if isinstance(modules.get(".".join(parts[:i])), ClassificationHead):
            return "head"
    return "patch"


def prior_rates(cost) -> dict[str, float]:
    """Layer name -> prior rate for every non-encoding MAC layer of a CostReport."""
    return {layer.name: PRIOR_RATES[layer.role].rate
            for layer in cost.mac_layers if not layer.encoding}
