"""fvcore's FlopCountAnalysis, configured to count what the cost pass calls MACs.

The independent check of :func:`autost.cost.count_costs` (tests and
``benchmarks/cost_pass.py``; fvcore comes with the ``dev`` extra, nothing else imports
this). fvcore traces the model with real tensors and counts operators, not modules; like
for like means only the MAC operators: convolutions, linear layers, matrix products and
einsum. Its default handles also count BatchNorm, norms, pooling and upsampling, and
``set_op_handle(name, None)`` does not remove a default handle (fvcore 0.1.5), so the
handles are cleared and set explicitly. fvcore's own einsum handle reads the FLOP count
that ``numpy.einsum_path`` prints with four significant digits; the einsum handle here
multiplies the sizes of the equation's indices instead, exact for a product of two operands
whose every index is in the output or in both operands. T enters through the batch fold:
fvcore's totals are over the whole batch and every time step.
"""

from math import prod

import torch
from torch import nn


def _einsum_macs(inputs, outputs) -> int:
    from fvcore.nn.jit_handles import get_shape

    equation = inputs[0].toIValue().replace(" ", "").split("->")[0]
    shapes = [get_shape(v) for v in inputs[1].node().inputs()]
    sizes = {}
    for term, shape in zip(equation.split(","), shapes, strict=True):
        sizes.update(zip(term, shape, strict=True))
    return prod(sizes.values())


def fvcore_analysis(model: nn.Module, inputs: torch.Tensor | tuple):
    """A FlopCountAnalysis of ``model`` that counts MACs only, warnings off."""
    from fvcore.nn import FlopCountAnalysis
    from fvcore.nn import jit_handles as h

    handles = {
        "aten::_convolution": h.conv_flop_jit,
        "aten::linear": h.linear_flop_jit,
        "aten::addmm": h.addmm_flop_jit,
        "aten::matmul": h.matmul_flop_jit,
        "aten::mm": h.matmul_flop_jit,
        "aten::bmm": h.bmm_flop_jit,
        "aten::einsum": _einsum_macs,
    }
    analysis = FlopCountAnalysis(model, inputs).clear_op_handles().set_op_handle(**handles)
    return analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
