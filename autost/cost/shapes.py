"""Output shapes of the costed leaf modules, for the cost pass on the meta device.

PyTorch runs many meta kernels through Python reference implementations (a meta
``nn.Linear`` call takes milliseconds, an element-wise add about half of one), while
allocating an empty meta tensor takes microseconds. So on the meta device each costed leaf
module returns an empty tensor of its output shape, computed here, and only the cheap view
operations of the container modules run for real. The tests check every shape against a
real forward pass of the same model.
"""

from collections.abc import Callable
from math import floor

import torch
from torch import nn

from autost.cost.rules import SHAPE_PRESERVING
from autost.layers.linear_bn import TokenLinear
from autost.layers.ops import Add, Concat, ElementwiseMul, SpikeMatMul, SumReduce
from autost.layers.stm import TokenMixingLinear

Shape = tuple[int, ...]


def _pair(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,) * n


def _broadcast(a: Shape, b: Shape) -> Shape:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return tuple(y if x == 1 else x for x, y in zip(a, b, strict=True))


def _conv_shape(m: nn.Conv1d | nn.Conv2d, x: Shape) -> Shape:
    dims = len(m.kernel_size)
    spatial = x[-dims:]
    if m.padding == "same":
        return (*x[:-dims - 1], m.out_channels, *spatial)
    padding = (0,) * dims if m.padding == "valid" else m.padding
    out = tuple(
        (size + 2 * p - d * (k - 1) - 1) // s + 1
        for size, p, d, k, s in zip(spatial, padding, m.dilation, m.kernel_size, m.stride,
                                    strict=True)
    )
    return (*x[:-dims - 1], m.out_channels, *out)


def _pool_shape(m: nn.MaxPool2d, x: Shape) -> Shape:
    rounding = (lambda v: -floor(-v)) if m.ceil_mode else floor
    out = []
    for size, k, s, p, d in zip(x[-2:], _pair(m.kernel_size, 2), _pair(m.stride or
                                m.kernel_size, 2), _pair(m.padding, 2), _pair(m.dilation, 2),
                                strict=True):
        n = rounding((size + 2 * p - d * (k - 1) - 1) / s) + 1
        if m.ceil_mode and (n - 1) * s >= size + p:
            n -= 1
        out.append(n)
    return (*x[:-2], *out)


def _linear_shape(m: nn.Linear, x: Shape) -> Shape:
    return (*x[:-1], m.out_features)


def _sum_shape(m: SumReduce, x: Shape) -> Shape:
    shape = list(x)
    shape[m.dim] = 1
    return tuple(shape)


def _cat_shape(m: Concat, *shapes: Shape) -> Shape:
    out = list(shapes[0])
    out[m.dim] = sum(s[m.dim] for s in shapes)
    return tuple(out)


SHAPE_RULES: dict[type, Callable[..., Shape]] = {
    nn.Linear: _linear_shape,
    TokenLinear: _linear_shape,
    nn.Conv1d: _conv_shape,
    nn.Conv2d: _conv_shape,
    nn.MaxPool2d: _pool_shape,
    TokenMixingLinear: lambda m, x: x,
    SpikeMatMul: lambda m, a, b: (*_broadcast(a[:-2], b[:-2]), a[-2], b[-1]),
    Add: lambda m, a, b: _broadcast(a, b),
    ElementwiseMul: lambda m, a, b: _broadcast(a, b),
    SumReduce: _sum_shape,
    Concat: _cat_shape,
}


def shape_forward(module: nn.Module) -> Callable | None:
    """A forward for ``module`` that returns an empty meta tensor of the right shape.

    Shape-preserving kinds return their input; None for kinds without a shape rule (they
    run their own forward).
    """
    if type(module) in SHAPE_PRESERVING:
        return _identity
    rule = SHAPE_RULES.get(type(module))
    if rule is None:
        return None

    def forward(*args):
        shape = rule(module, *(tuple(a.shape) for a in args))
        return torch.empty(shape, device="meta")

    return forward


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x
