"""Prior firing rates: typical input rates of each layer role, from published measurements.

The rate source ``prior`` needs no data: every MAC layer gets the rate of its role. The
only per-layer firing rates published for a spiking transformer of this family are
QKFormer's (Zhou et al., NeurIPS 2024; reference.md section 5.6: HST-10-768 on ImageNet,
stage 1 / stage 2). Each value below is the mean of the two stages of the neuron whose
spikes the layer reads; roles without a published neuron say how they were filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from torch import nn

from autost.layers.head import ClassificationHead
from autost.layers.ops import SpikeMatMul
from autost.layers.stm import TokenMixingLinear

QKFORMER = "QKFormer NeurIPS 2024 firing-rate table, HST-10-768 ImageNet (reference.md 5.6)"


@dataclass(frozen=True)
class PriorRate:
    rate: float
    source: str


# Published neuron rates, stage 1 / stage 2 (reference.md 5.6).
_Q = (0.0432 + 0.0231) / 2
_K = (0.1784 + 0.0847) / 2
_ALL = (0.0432, 0.0231, 0.1784, 0.0847, 0.3477, 0.2655, 0.0832, 0.0350, 0.1478, 0.0577,
        0.0518, 0.0246, 0.2733, 0.1869)

PRIOR_RATES: dict[str, PriorRate] = {
    "block_input": PriorRate(
        (0.2733 + 0.1869) / 2,
        f"{QKFORMER}: MLP layer 2, the branch output that feeds the residual stream; the "
        "non-zero fraction of the stream (a sum of spikes) is at least its largest term's"),
    "attention_product": PriorRate(
        _Q * _K,
        f"{QKFORMER}: Q x K rates; a spike x spike product performs the pairs where both "
        "operands fire, which for independent operands is the product of the rates"),
    "mixer_output": PriorRate(
        (0.0832 + 0.0350) / 2,
        f"{QKFORMER}: X' = A_t (.) K, the attention output the projection reads"),
    "token_mixing": PriorRate(
        _K, f"{QKFORMER}: K, the spikes QKTA mixes along tokens (STM's input is alike)"),
    "mlp_hidden": PriorRate(
        (0.0518 + 0.0246) / 2, f"{QKFORMER}: MLP layer 1, the hidden spikes fc2 reads"),
    "patch": PriorRate(
        sum(_ALL) / len(_ALL),
        f"no published patch-splitter rates; the mean of all 14 rates of {QKFORMER}"),
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
