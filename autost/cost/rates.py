"""Rate pass: firing rates of every MAC layer's input and the spike codes of every LIF.

One forward pass of a calibration batch under forward hooks. At initialization a spiking
transformer with BatchNorm in eval mode (running statistics 0/1) is silent after its first
layer, so by default BatchNorm normalizes with the statistics of the batch, as in training
mode: a pre-hook writes the batch mean and (biased) variance of each channel into the
running statistics and the layer runs in eval mode, three to five times cheaper on a CPU
than PyTorch's training-mode BatchNorm. The running statistics are saved before and written
back after, so the model is left exactly as it was. Pass ``batch_stats=False`` for a
trained model, whose running statistics are meaningful.

Per MAC layer the hook records the non-zero fraction of the input (what SOPs use) and its
mean (after a SEW residual the input holds integer spike sums, so mean > rate), and
``sop_rate``, the fraction of the layer's MACs that an event-driven accelerator performs.
For a weight layer that is the input's non-zero fraction. For a product of two activations
(:class:`~autost.layers.ops.SpikeMatMul`) it is the exact fraction of the operand pairs
a[..., i, k] * b[..., k, j] with both factors non-zero, counted from the column counts of a
and the row counts of b: a zero-skipping accumulator does one operation per such pair and
none for the others. For independent operands this equals the product of the two rates;
unlike the rate of one operand alone it does not charge the accumulates of zero entries of
the other operand.

Speed (the pass should cost little more than a bare forward): LIF outputs are exactly 0 or
1, so their spike count is a plain sum and their codes are views of the outputs, not
copies; an input several layers read (q, k and v read the same stream) is measured once;
a binary input is recognised by sum(x) = x.x with 0 <= x <= 1 (three vectorised
reductions) and only other inputs pay for ``count_nonzero``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from autost.cost.rules import is_mac_layer
from autost.exceptions import CalibrationError
from autost.layers.linear_bn import TokenBatchNorm
from autost.layers.neuron import LIF
from autost.layers.ops import SpikeMatMul


@dataclass(frozen=True)
class LayerRate:
    """Input statistics of one MAC layer on the calibration batch (first operand's for a
    spike x spike product)."""

    name: str
    kind: str
    rate: float
    mean: float
    sop_rate: float

    @property
    def integer(self) -> bool:
        """True when some spike input exceeds 1: spike sums after a SEW residual (every
        non-zero input is then at least 1, so the mean exceeds the non-zero fraction).
        Meaningless for the analog input of an encoding layer."""
        return self.mean > self.rate

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "rate": self.rate, "mean": self.mean,
                "sop_rate": self.sop_rate, "integer": self.integer}


@dataclass(frozen=True)
class RateReport:
    """Firing rates measured on one batch; ``codes`` holds every LIF's spikes as 0/1 floats
    [T, B, N_A] (views of the outputs; several calls of one LIF are concatenated)."""

    batch_size: int
    layers: dict[str, LayerRate]
    neurons: dict[str, float]
    codes: dict[str, torch.Tensor] = field(repr=False)
    flags: tuple[str, ...]

    def sop_rates(self) -> dict[str, float]:
        """Layer name -> fraction of its MACs that are synaptic operations."""
        return {name: layer.sop_rate for name, layer in self.layers.items()}


def measure_rates(model: nn.Module, batch: torch.Tensor, *, batch_stats: bool = True,
                  keep_codes: bool = True) -> RateReport:
    """Run ``batch`` through ``model`` once and record firing rates (and spike codes).

    ``batch`` is [B, C, H, W] (or [T, B, C, H, W]) at the model's input size. The model's
    parameters, buffers and train/eval flags are the same afterwards.
    """
    _check_batch(model, batch)
    batch_size = batch.shape[-4]
    stats: dict[str, list] = {}
    spikes: dict[str, list] = {}
    codes: dict[str, list] = {}
    with _RatePass(model, batch_stats, stats, spikes, codes if keep_codes else None,
                   batch_size):
        model(batch)
    kinds = {name: type(m).__name__ for name, m in model.named_modules()}
    layers = {name: _layer_rate(name, kinds[name], records) for name, records in stats.items()}
    neurons = {}
    for name, records in spikes.items():
        fired, total = (sum(r[i] for r in records) for i in (0, 1))
        neurons[name] = float(fired) / total
    return RateReport(
        batch_size=batch_size, layers=layers, neurons=neurons,
        codes={name: chunks[0] if len(chunks) == 1 else torch.cat(chunks, dim=-1)
               for name, chunks in codes.items()},
        flags=tuple(_flags(neurons)),
    )


def _check_batch(model: nn.Module, batch) -> None:
    cfg = getattr(model, "config", None)
    if not isinstance(batch, torch.Tensor) or batch.dim() not in (4, 5):
        got = list(batch.shape) if isinstance(batch, torch.Tensor) else type(batch).__name__
        raise CalibrationError(f"calibration batch is {got}; expected a float tensor "
                               "[B, C, H, W] (or [T, B, C, H, W])")
    if cfg is None:
        return
    expected = (cfg.in_channels, cfg.input_size, cfg.input_size)
    if tuple(batch.shape[-3:]) != expected or (batch.dim() == 5
                                                and batch.shape[0] != cfg.timesteps):
        raise CalibrationError(
            f"calibration batch has shape {list(batch.shape)}; this model expects "
            f"[B, {expected[0]}, {expected[1]}, {expected[2]}] (or [{cfg.timesteps}, B, "
            f"{expected[0]}, {expected[1]}, {expected[2]}]): in_channels and input_size "
            "of the architecture"
        )


class _RatePass:
    """Hooks on MAC layers and LIFs; BatchNorm on batch statistics with buffers restored."""

    def __init__(self, model, batch_stats, stats, spikes, codes, batch_size):
        self.model, self.batch_stats = model, batch_stats
        self.stats, self.spikes, self.codes, self.batch_size = stats, spikes, codes, batch_size

    def __enter__(self):
        self.training = {m: m.training for m in self.model.modules()}
        self.handles, self.saved = [], []
        self.last = [None, None]  # the last input measured and its statistics
        self.model.eval()
        for name, module in self.model.named_modules():
            if is_mac_layer(module):
                records = self.stats.setdefault(name, [])
                hook = (_matmul_hook(records) if type(module) is SpikeMatMul
                        else _input_hook(records, self.last))
                self.handles.append(module.register_forward_hook(hook))
            elif type(module) is LIF:
                self.handles.append(module.register_forward_hook(self._lif_hook(name)))
            elif (isinstance(module, _BatchNorm) and self.batch_stats
                  and module.running_mean is not None):
                self.saved.append((module, [b.clone() for b in module.buffers(False)]))
                self.handles.append(module.register_forward_pre_hook(_batch_statistics))
        self.no_grad = torch.no_grad()
        self.no_grad.__enter__()
        return self

    def _lif_hook(self, name: str):
        records = self.spikes.setdefault(name, [])
        chunks = None if self.codes is None else self.codes.setdefault(name, [])
        batch_size = self.batch_size

        def hook(module, args, out):
            records.append((out.sum(), out.numel()))
            if chunks is not None:
                chunks.append(out.detach().reshape(out.shape[0], batch_size, -1))

        return hook

    def __exit__(self, *exc):
        self.no_grad.__exit__(*exc)
        for handle in self.handles:
            handle.remove()
        for module, buffers in self.saved:
            for buf, old in zip(module.buffers(False), buffers, strict=True):
                buf.copy_(old)
        for module, training in self.training.items():
            module.training = training
        return False


def _batch_statistics(module: _BatchNorm, args) -> None:
    """Make an eval-mode BatchNorm normalize ``args[0]`` with its own batch statistics."""
    x = args[0]
    if isinstance(module, TokenBatchNorm):  # channels last: statistics over the rows
        x = x.reshape(-1, x.shape[-1])
    dims, n = [0, *range(2, x.dim())], x.numel() // x.shape[1]
    mean = x.sum(dim=dims) / n
    module.running_mean.copy_(mean)
    module.running_var.copy_(((x * x).sum(dim=dims) / n - mean * mean).clamp_(min=0))


def _input_hook(records: list, last: list):
    """Record (non-zero, numel, sum, active MACs, MACs) of the input.

    Consecutive layers that read the same data (q, k and v) measure it once: ``last``
    holds the previous input, so its storage cannot be reused by another tensor while a
    later input is compared with it.
    """

    def hook(module, args, out):
        x = args[0]
        previous = last[0]
        if previous is None or (x.data_ptr(), x.shape, x.stride(), x._version) != (
                previous.data_ptr(), previous.shape, previous.stride(), previous._version):
            last[0], last[1] = x, _nonzero_and_sum(x)
        nonzero, total = last[1]
        records.append((nonzero, x.numel(), total, nonzero, x.numel()))

    return hook


def _nonzero_and_sum(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Non-zero count and sum; a 0/1 tensor (0 <= x <= 1, x.x = sum) is counted by its sum."""
    total = x.sum()
    low, high = torch.aminmax(x)
    if low >= 0 and high <= 1:
        flat = x.view(-1) if x.is_contiguous() else None
        squares = torch.dot(flat, flat) if flat is not None else (x * x).sum()
        if squares == total:
            return total, total
    return torch.count_nonzero(x), total


def _matmul_hook(records: list):
    def hook(module, args, out):
        a, b = args[0] != 0, args[1] != 0
        pairs = (a.sum(-2) * b.sum(-1)).sum()
        records.append((a.sum(), a.numel(), args[0].sum(), pairs,
                        out.numel() * a.shape[-1]))

    return hook


def _layer_rate(name: str, kind: str, records: list) -> LayerRate:
    """Pool the calls of one layer: (nonzero, numel, sum, active MACs, MACs) each."""
    nonzero, numel, total, active, macs = (sum(float(r[i]) for r in records) for i in range(5))
    return LayerRate(name=name, kind=kind, rate=nonzero / numel, mean=total / numel,
                     sop_rate=active / macs)


def _flags(neurons: dict[str, float]) -> list[str]:
    flags = []
    for name, rate in neurons.items():
        if rate == 0.0:
            flags.append(f"silent: {name} fired no spike on the calibration batch")
        elif rate == 1.0:
            flags.append(f"saturated: {name} fired at every neuron and step")
    return flags
