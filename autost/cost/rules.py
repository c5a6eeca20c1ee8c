"""Counting rules: MACs and element-wise operations of one call of one leaf module, from shapes.

A rule sees the module, its tensor inputs and its output, and returns ``(macs,
elementwise_ops)`` for the whole call (every sample, every time step in the tensors); the
cost pass divides by batch and steps. Conventions (the README's "What is measured, and
how"): one multiply-accumulate counts 1 MAC; bias additions, BatchNorm (2 per element:
scale and shift after folding), LIF updates (1 per neuron per step, as syops-counter),
masks, sums and pooling comparisons are element-wise operations, never MACs.

A leaf module whose type has no rule is an error (:class:`CostModelError`), never a zero:
a new computing module must get a rule here before the cost pass accepts it.
"""

from collections.abc import Callable
from math import prod

import torch
from torch import nn

from autost.exceptions import CostModelError
from autost.layers.linear_bn import TokenBatchNorm, TokenLinear
from autost.layers.neuron import LIF
from autost.layers.ops import Add, Concat, ElementwiseMul, Scale, SpikeMatMul, SumReduce
from autost.layers.stm import TokenMixingLinear

Rule = Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], tuple[int, int]]


def _bias_ops(module: nn.Module, out: torch.Tensor) -> int:
    return out.numel() if getattr(module, "bias", None) is not None else 0


def _conv(m: nn.Conv1d | nn.Conv2d, inputs, out) -> tuple[int, int]:
    per_output = (m.in_channels // m.groups) * prod(m.kernel_size)
    return out.numel() * per_output, _bias_ops(m, out)


def _linear(m: nn.Linear, inputs, out) -> tuple[int, int]:
    return out.numel() * m.in_features, _bias_ops(m, out)


def _token_mixing(m: nn.Module, inputs, out) -> tuple[int, int]:
    """STM: every output element is a dot product over the N tokens of its group."""
    return out.numel() * m.weight.shape[-1], _bias_ops(m, out)


def _matmul(m: SpikeMatMul, inputs, out) -> tuple[int, int]:
    return out.numel() * inputs[0].shape[-1], 0


def _batchnorm(m, inputs, out) -> tuple[int, int]:
    return 0, 2 * out.numel()


def _per_output(m, inputs, out) -> tuple[int, int]:
    return 0, out.numel()


def _per_input(m, inputs, out) -> tuple[int, int]:
    return 0, inputs[0].numel()


def _maxpool(m: nn.MaxPool2d, inputs, out) -> tuple[int, int]:
    k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
    return 0, out.numel() * prod(k)


# MAC layers: SOPs are counted on these (their input spikes trigger accumulates).
MAC_RULES: dict[type, Rule] = {
    nn.Conv1d: _conv,
    nn.Conv2d: _conv,
    nn.Linear: _linear,
    TokenLinear: _linear,
    TokenMixingLinear: _token_mixing,
    SpikeMatMul: _matmul,
}

ELEMENTWISE_RULES: dict[type, Rule] = {
    nn.BatchNorm1d: _batchnorm,
    nn.BatchNorm2d: _batchnorm,
    TokenBatchNorm: _batchnorm,
    LIF: _per_output,
    ElementwiseMul: _per_output,
    Add: _per_output,
    Scale: _per_output,
    SumReduce: _per_input,
    nn.MaxPool2d: _maxpool,
}

# Pure reshapes, data movement and no-ops: they cost nothing and get no row in the report.
FREE_KINDS = (nn.Identity, nn.Flatten, nn.Unflatten, nn.Dropout, Concat)

# Kinds whose output has the shape of their input: the shape pass skips their compute.
SHAPE_PRESERVING = (LIF, nn.BatchNorm1d, nn.BatchNorm2d, TokenBatchNorm, Scale)

RULES: dict[type, Rule] = {**MAC_RULES, **ELEMENTWISE_RULES}


def rule_for(module: nn.Module, name: str) -> Rule:
    """The counting rule of ``module``'s exact type; CostModelError if there is none."""
    rule = RULES.get(type(module))
    if rule is None:
        raise CostModelError(
            f"no counting rule for layer {name!r} of kind {type(module).__name__}; every "
            "computing module needs a rule in autost/cost/rules.py (known kinds: "
            f"{', '.join(sorted(t.__name__ for t in RULES))})"
        )
    return rule


def is_mac_layer(module: nn.Module) -> bool:
    return type(module) in MAC_RULES
