"""Forward and training-step time of every preset, against the code the speed-ups replaced.

The baseline, kept here and only here, is autost before them:
- BatchNorm layout: autost's LinearBN normalizes the Linear's [T*B, N, C] output as the rows
  of a contiguous [T*B*N, C] matrix (``TokenBatchNorm``); the baseline uses BatchNorm1d on
  the transposed, non-contiguous [T*B, C, N] view, whose backward is several times slower
  on a CPU;
- Linear: autost's LinearBN computes its Linear on a CPU as a 1x1 convolution
  (``TokenLinear``, oneDNN); the baseline calls ``F.linear`` (MKL's GEMM);
- LIF training path: autost runs all T steps in one autograd node with a hand-written
  backward (``MultiStepLIF``); the baseline records every step's operations and lets
  autograd differentiate them, with the surrogate derivative computed as it was.
For every preset, on one batch of random images (batch 8 by default, ``--threads`` torch
threads, 2 by default):
(a) forward: one ``model(x)`` under no_grad in eval mode;
(b) training step: forward in training mode, cross-entropy, backward, an AdamW step.
Both versions run on the same model and batch, alternating, ``--repeats`` times after one
warm-up each; the table gives the medians and the ratio baseline / autost (above 1: autost
is faster). Times are the CPU time of this process (``time.process_time``, all threads),
which other jobs on a shared machine disturb less than wall-clock time; ``--wall`` uses the
wall clock instead. Target: the qkformer-hst-4-384 training step at least 1.5x faster.
Usage:
    python benchmarks/training_step.py [--presets qkformer-hst-4-384 ...] [--batch 8]
        [--threads 2] [--repeats 5] [--wall]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import torch
from torch import nn

from autost.layers.linear_bn import TokenBatchNorm, TokenLinear
from autost.layers.neuron import LIF
from autost.models import create_model, get_preset, list_presets


def transposed_batchnorm(bn: TokenBatchNorm, y: torch.Tensor) -> torch.Tensor:
    """The baseline layout: BatchNorm1d over the [T*B, C, N] view of [T*B, N, C]."""
    return nn.BatchNorm1d.forward(bn, y.transpose(1, 2)).transpose(1, 2)


def _baseline_surrogate_grad(x: torch.Tensor, lif: LIF) -> torch.Tensor:
    if lif.surrogate == "sigmoid":
        s = torch.sigmoid(lif.alpha * x)
        return lif.alpha * s * (1 - s)
    m = torch.tanh(lif.alpha * x)
    grad = (lif.alpha / (2 * math.tanh(lif.alpha))) * (1 - m * m)
    return grad.masked_fill(x.abs() > 1.0, 0.0)


class BaselineSpike(torch.autograd.Function):
    """The baseline's per-step Heaviside with its surrogate derivative."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, fired: torch.Tensor, lif: LIF) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.lif = lif
        return fired.to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad_output * _baseline_surrogate_grad(x, ctx.lif), None, None


def stepwise_lif(lif: LIF, x: torch.Tensor) -> torch.Tensor:
    """The baseline LIF: autograd through the operations of every step."""
    if not (torch.is_grad_enabled() and x.requires_grad):
        return LIF.forward(lif, x)  # inference was not changed
    if lif.v_reset:
        x = x + (lif.v_reset if lif.decay_input else lif.v_reset / lif.tau)
    v = torch.full_like(x[0], lif.v_reset)
    spikes = []
    for x_t in x:
        h = lif._charge(v, x_t)
        fired = h >= lif.v_threshold
        s = BaselineSpike.apply(h - lif.v_threshold, fired, lif)
        v = (h.masked_fill(fired, lif.v_reset) if lif.detach_reset
             else h * (1 - s) + lif.v_reset * s)
        spikes.append(s)
    return torch.stack(spikes)


BASELINE_FORWARDS = {
    TokenBatchNorm: transposed_batchnorm,
    LIF: stepwise_lif,
    TokenLinear: nn.Linear.forward,
}


def use_baseline(model: nn.Module, baseline: bool) -> None:
    """Switch every TokenBatchNorm, LIF and TokenLinear of ``model`` to the baseline code
    or back."""
    for module in model.modules():
        forward = BASELINE_FORWARDS.get(type(module))
        if forward is None:
            continue
        if baseline:
            module.forward = lambda y, m=module, f=forward: f(m, y)
        else:
            module.__dict__.pop("forward", None)


def forward_once(model: nn.Module, x: torch.Tensor, _labels, _optimizer) -> None:
    model.eval()
    with torch.no_grad():
        model(x)


def training_step(model: nn.Module, x: torch.Tensor, labels, optimizer) -> None:
    model.train()
    optimizer.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(model(x), labels).backward()
    optimizer.step()


def timed(clock, fn, *args) -> float:
    started = clock()
    fn(*args)
    return clock() - started


def measure(name: str, batch: int, repeats: int, clock) -> dict:
    """Median seconds of both versions for the forward and the training step of one preset."""
    cfg = get_preset(name)
    torch.manual_seed(0)
    model = create_model(cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.rand(batch, cfg.in_channels, cfg.input_size, cfg.input_size)
    labels = torch.randint(0, cfg.num_classes, (batch,))
    row = {"preset": name}
    for label, fn in (("forward", forward_once), ("step", training_step)):
        times = {True: [], False: []}
        for baseline in (True, False):  # warm-up
            use_baseline(model, baseline)
            fn(model, x, labels, optimizer)
        for _ in range(repeats):
            for baseline in (True, False):
                use_baseline(model, baseline)
                times[baseline].append(timed(clock, fn, model, x, labels, optimizer))
        use_baseline(model, False)
        row[f"{label}_baseline"] = statistics.median(times[True])
        row[f"{label}_autost"] = statistics.median(times[False])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="*", help="preset names (default: every preset)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    clock = time.perf_counter if opts.wall else time.process_time
    names = opts.presets or [p.name for p in list_presets()]
    print(f"batch {opts.batch}, {opts.threads} threads, median of {opts.repeats}, "
          f"{'wall-clock' if opts.wall else 'CPU'} seconds; ratio = baseline / autost")
    header = (f"{'preset':30} {'fwd base':>9} {'fwd autost':>10} {'ratio':>6} "
              f"{'step base':>10} {'step autost':>11} {'ratio':>6}")
    print(header)
    for name in names:
        r = measure(name, opts.batch, opts.repeats, clock)
        print(f"{name:30} {r['forward_baseline']:9.3f} {r['forward_autost']:10.3f} "
              f"{r['forward_baseline'] / r['forward_autost']:6.2f} "
              f"{r['step_baseline']:10.3f} {r['step_autost']:11.3f} "
              f"{r['step_baseline'] / r['step_autost']:6.2f}", flush=True)


if __name__ == "__main__":
    main()
