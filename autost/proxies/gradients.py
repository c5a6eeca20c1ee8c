"""Gradient-based proxies on spiking networks: SynFlow, SNIP, GradNorm and ZiCo.

The four published scores are defined for ReLU networks; here they run on autost's spiking
models as they are trained, through time and through the LIF neurons:

- the image is repeated over the model's T time steps (direct encoding) and every LIF
  integrates, fires and resets over those steps;
- the Heaviside step of a spike passes its surrogate gradient backwards (the derivative of
  sigmoid(alpha x), alpha = 4, of :class:`~autost.layers.neuron.LIF`), so a weight reached
  only through spikes still gets a gradient;
- BatchNorm normalizes with the statistics of the batch, as in training and as the rate
  pass at initialization does (with the initial running statistics a spiking transformer
  is silent after its first layer); the running statistics are restored afterwards;
- the scored weights are those of the MAC layers (convolutions, linear layers, STM's token
  mixing), as Abdelfattah et al.'s reference implementation scores the convolution and
  linear weights.

The functions take any module and tensors, so the tests check them on a two-layer network
whose values are computed by hand.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from autost.cost.rules import is_mac_layer

# ZiCo compares the gradients of several mini-batches (two in Li et al.'s experiments): the
# calibration batch is split into this many equal parts.
GRADIENT_SPLITS = 2


def scored_weights(model: nn.Module) -> list[nn.Parameter]:
    """The weight of every MAC layer that has one, in module order."""
    return [m.weight for m in model.modules()
            if is_mac_layer(m) and isinstance(getattr(m, "weight", None), nn.Parameter)]


@contextmanager
def batch_statistics(model: nn.Module) -> Iterator[nn.Module]:
    """Run ``model`` in eval mode but with BatchNorm on batch statistics; restore it after.

    BatchNorm layers switch to training mode (normalize with the batch's mean and biased
    variance, gradients through both); the running statistics they update are written back
    on exit, as are every module's train/eval flag.
    """
    training = {m: m.training for m in model.modules()}
    saved = [(m, [b.clone() for b in m.buffers(False)]) for m in model.modules()
             if isinstance(m, _BatchNorm)]
    model.eval()
    for module, _ in saved:
        module.train()
    try:
        yield model
    finally:
        with torch.no_grad():
            for module, buffers in saved:
                for buf, old in zip(module.buffers(False), buffers, strict=True):
                    buf.copy_(old)
        for module, flag in training.items():
            module.training = flag


def minibatch_gradients(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
                        splits: int = GRADIENT_SPLITS) -> list[list[torch.Tensor]]:
    """Cross-entropy gradients of the scored weights, one list per mini-batch.

    The batch is split into ``splits`` equal parts (``torch.chunk``); each part runs forward
    and backward on its own with BatchNorm on that part's statistics. Entry [k][l] is the
    gradient of mini-batch k's mean loss by weight l (zeros for a weight outside the graph).
    """
    weights = scored_weights(model)
    grads = []
    with batch_statistics(model):
        for x, y in zip(images.chunk(splits), labels.chunk(splits), strict=True):
            loss = F.cross_entropy(model(x), y)
            parts = torch.autograd.grad(loss, weights, allow_unused=True)
            grads.append([torch.zeros_like(w) if g is None else g.detach()
                          for w, g in zip(weights, parts, strict=True)])
    return grads


def mean_gradients(grads: list[list[torch.Tensor]]) -> list[torch.Tensor]:
    """Per weight, the mean over mini-batches (the gradient of the mean of their losses)."""
    return [torch.stack(per_batch).mean(0) for per_batch in zip(*grads, strict=True)]


def snip_score(weights: list[torch.Tensor], grads: list[torch.Tensor]) -> float:
    """SNIP (Lee et al., ICLR 2019), summed as in Abdelfattah et al. (ICLR 2021):
    sum over weights of |w * dL/dw|, the first-order loss change of removing each one."""
    return float(sum((w.detach() * g).abs().sum(dtype=torch.float64)
                     for w, g in zip(weights, grads, strict=True)))


def grad_norm_score(grads: list[torch.Tensor]) -> float:
    """GradNorm (Abdelfattah et al., ICLR 2021): sum over layers of the Euclidean norm of
    the loss gradient by the layer's weight."""
    return float(sum(g.to(torch.float64).norm() for g in grads))


def zico_score(grads: list[list[torch.Tensor]]) -> float:
    """ZiCo (Li et al., ICLR 2023): sum over layers of log sum_w mean_k|g_kw| / std_k(g_kw).

    k runs over the mini-batches; std is the population standard deviation (numpy's
    default, as ZiCo's code uses); weights whose gradient does not vary (std 0) are left
    out of the sum, and so is a layer whose sum is 0. -inf when no layer is left.
    """
    total, scored = 0.0, False
    for per_batch in zip(*grads, strict=True):
        g = torch.stack(per_batch).flatten(1)  # the gradients' dtype; the sum in float64
        std = (g - g.mean(0)).square_().mean(0).sqrt_()  # 10x faster than torch.std here
        ratio = torch.where(std > 0, g.abs().mean(0) / std, 0.0).sum(dtype=torch.float64)
        if ratio > 0:
            total += math.log(float(ratio))
            scored = True
    return total if scored else float("-inf")


def synflow_score(model: nn.Module, image_shape: tuple[int, ...]) -> float:
    """log of SynFlow (Tanaka et al., NeurIPS 2020): sum over weights of |w * dR/dw| with
    every parameter replaced by its absolute value, R the sum of the outputs for an all-ones
    image, in float64.

    SynFlow needs no data, and BatchNorm on the statistics of a constant image would give
    every neuron the same input; so it keeps BatchNorm as Tanaka et al. do, in eval mode
    with the initial running statistics (mean 0, variance 1: an affine map). All-positive
    weights on an all-ones image drive the LIFs above threshold, so the score carries the
    surrogate gradients of firing neurons through every layer and step. The raw sum spans
    hundreds of orders of magnitude across architectures, hence its log (the ranking is the
    same); -inf when it underflows to 0. ``model`` itself is left unchanged.
    """
    net = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    weights = scored_weights(net)
    out = net(torch.ones((1, *image_shape), dtype=torch.float64))
    grads = torch.autograd.grad(out.sum(), weights, allow_unused=True)
    total = sum(float((w.detach() * g).abs().sum()) for w, g in zip(weights, grads, strict=True)
                if g is not None)
    return math.log(total) if total > 0 else float("-inf")
