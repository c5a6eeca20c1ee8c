"""Prior firing rates: typical input rates of each layer role, fitted to published energies.

The rate source ``prior`` needs no data: every MAC layer gets the rate of its role. The
rates are fitted (:mod:`autost.cost.prior_fit`; ``benchmarks/published_energy.py --fit``
prints the fit, and a test checks that the stored rates are it) so that autost's energy of the
published ImageNet models of Spikformer (ICLR 2023, Table 2), QKFormer (NeurIPS 2024,
Table 2), the Spike-driven Transformer (NeurIPS 2023) and STMixer (NeurIPS 2024), each
computed under its paper's convention (:mod:`autost.cost.conventions`), is closest to the
published figure in relative squared error, each paper weighing as one however many models
it lists, with an equal pull toward a measured rate of each role (``MEASURED_RATES``):
QKFormer's published rate table (HST-10-768 on ImageNet, the mean of stage 1 and stage 2 of
the neuron a role's layers read) and, for the branch inputs of membrane-shortcut blocks,
the per-layer input rates that Spikingformer's repository logged for its trained ImageNet
models. The SEW stream was never measured: its rate is only kept at or above the rate of
the neuron that feeds it (``FLOOR_ROLES``).

The branch inputs have two roles because the residual decides what they read: after a SEW
residual the stream is a sum of spikes, so more of it is non-zero than any one neuron's
output (``block_input``); with a membrane shortcut the branch reads the spikes of one LIF on
the analog stream (``block_input_ms``).

The published tables disagree with each other beyond what any such table can absorb:
QKFormer's energies need rates two to three times those that fit the Spike-driven
Transformer's, whose energies barely grow with width. ``benchmarks/published_energy.py``
prints the least maximum error that any per-role rates in [0, 1] reach in-sample, for all
pairs and for each paper alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from torch import nn

from autost.layers.block import EncoderBlock
from autost.layers.head import ClassificationHead
from autost.layers.ops import SpikeMatMul
from autost.layers.stm import TokenMixingLinear

QKFORMER = "QKFormer NeurIPS 2024 firing-rate table, HST-10-768 ImageNet"
SPIKINGFORMER = ("Spikingformer's ImageNet energy logs (zhouchenlin2096/Spikingformer, "
                 "8-512 and 8-768): mean input rate of q, k, v and fc1")


@dataclass(frozen=True)
class PriorRate:
    rate: float
    source: str


# QKFormer's published neuron rates, stage 1 / stage 2.
_Q = (0.0432 + 0.0231) / 2
_K = (0.1784 + 0.0847) / 2
_ALL = (0.0432, 0.0231, 0.1784, 0.0847, 0.3477, 0.2655, 0.0832, 0.0350, 0.1478, 0.0577,
        0.0518, 0.0246, 0.2733, 0.1869)
# Spikingformer's logged input rates of q, k, v and fc1 over the 8 blocks, 8-512 / 8-768.
_SPIKINGFORMER_BLOCK_INPUT = (0.3226, 0.2804)

# The measured rate of each role: the neuron whose spikes the role's layers read.
MEASURED_RATES: dict[str, PriorRate] = {
    # MLP layer 2, the last branch output added to the SEW stream (a floor, see FLOOR_ROLES)
    "block_input": PriorRate((0.2733 + 0.1869) / 2, QKFORMER),
    # the LIF on a membrane stream, read by q, k, v and fc1
    "block_input_ms": PriorRate(sum(_SPIKINGFORMER_BLOCK_INPUT) / 2, SPIKINGFORMER),
    # Q x K: a spike x spike product performs the pairs where both operands fire
    "attention_product": PriorRate(_Q * _K, QKFORMER),
    # X' = A_t (.) K, the attention output the projection reads
    "mixer_output": PriorRate((0.0832 + 0.0350) / 2, QKFORMER),
    # K, the spikes QKTA mixes along tokens (STM's input is alike)
    "token_mixing": PriorRate(_K, QKFORMER),
    # MLP layer 1, the hidden spikes fc2 reads
    "mlp_hidden": PriorRate((0.0518 + 0.0246) / 2, QKFORMER),
    # no published patch-splitter rates: the mean of all 14 rates
    "patch": PriorRate(sum(_ALL) / len(_ALL), f"mean of the {QKFORMER}"),
}
FITTED_ROLES = tuple(MEASURED_RATES)
# Roles whose measurement is a lower bound, not an estimate: QKFormer measured the neuron
# whose spikes a branch adds to the SEW stream, and the stream, a sum of such spikes, is
# non-zero wherever any of them is. The fit keeps these at or above the measurement
# instead of pulling them toward it.
FLOOR_ROLES = ("block_input",)

FITTED = ("fitted to the published ImageNet energies of Spikformer, QKFormer, the "
          "Spike-driven Transformer and STMixer, each under its paper's convention "
          "(autost.cost.conventions; autost.cost.prior_fit), pulled toward "
          "a measured rate")

# autost.cost.prior_fit.fit(published_rows()) (pull 1: each paper and each measured
# rate count once), rounded to 4 digits.
_FIT = {"block_input": 0.9534, "block_input_ms": 0.2081, "attention_product": 0.0044,
        "mixer_output": 0.0587, "token_mixing": 0.1319, "mlp_hidden": 0.0375, "patch": 0.1125}

PRIOR_RATES: dict[str, PriorRate] = {
    **{role: PriorRate(_FIT[role], f"{FITTED} ({MEASURED_RATES[role].rate:.4f}, "
                                   f"{MEASURED_RATES[role].source})")
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
        return "mixer_output" if owner in ("proj", "fc_out") else _block_input(modules, parts)
    if "channel_mixer" in parts:
        return "mlp_hidden" if owner == "fc2" else _block_input(modules, parts)
    for i in range(1, len(parts)):
        if isinstance(modules.get(".".join(parts[:i])), ClassificationHead):
            return "head"
    return "patch"


def _block_input(modules: Mapping[str, nn.Module], parts: list[str]) -> str:
    """``block_input`` where the block's branches read the SEW stream (a sum of spikes),
    ``block_input_ms`` where they read the spikes of the LIF on a membrane stream."""
    for i in range(len(parts) - 1, -1, -1):
        block = modules.get(".".join(parts[:i]))
        if isinstance(block, EncoderBlock):
            return "block_input" if isinstance(block.pre_token, nn.Identity) else "block_input_ms"
    return "block_input"


def prior_rates(cost) -> dict[str, float]:
    """Layer name -> prior rate for every non-encoding MAC layer of a CostReport."""
    return {layer.name: PRIOR_RATES[layer.role].rate
            for layer in cost.mac_layers if not layer.encoding}
