"""Cost pass: parameters, MACs and element-wise operations of every layer, from shapes alone.

The model is built on PyTorch's meta device (no weights are allocated, no data is read) and
one forward pass of a meta batch runs with a counting forward on every leaf module: the
module's counting rule (:mod:`autost.cost.rules`) turns the shapes it sees into counts. On
the meta device the costed leaf modules return empty tensors of their output shape
(:mod:`autost.cost.shapes`) instead of running PyTorch's slow meta kernels; a model on a
real device runs its own forward, which is how the tests check the shape rules.

An ArchConfig is built and counted part by part in forward order (splitter, stage modules,
blocks, head) without weight initialisation. Each part's counts depend on a few of the
config's fields only: an encoder block's on its BlockConfig, width, tokens and the global
fields blocks read; the splitter's and the stage modules' on the global fields (no part but
a block reads ``blocks``); the head's on its width, tokens, classes and T. So each distinct
part is counted once per process and reused: a search's candidates share most of their
parts, and counting a stmixer candidate's splitter was half its cost pass.

Counts are per sample. A layer that runs on every time step (its tensors carry T, folded
into the batch or as a leading axis) reports ``macs_per_step`` and ``macs_total = T x
macs_per_step``; a layer that runs once per sample has ``steps = 1`` (in autost's models
only the element-wise mean over T at the end of the head: its Linear runs every step).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache

import torch
from torch import nn

from autost.arch import ArchConfig, BlockConfig
from autost.cost.priors import layer_role
from autost.cost.rules import FREE_KINDS, is_mac_layer, rule_for
from autost.cost.shapes import shape_forward
from autost.exceptions import CostModelError


def shape_pass_batch(timesteps: int) -> int:
    """Batch of the shape pass: T + 1, so that T, B and T x B are three different numbers.

    With B = 1 a folded [T*B, ...] tensor and a time-major [T, B, ...] one look alike, and
    with B = T so do [T, B, ...] and a once-per-sample [B, T, ...]; on the meta device the
    batch size costs nothing.
    """
    return timesteps + 1


@dataclass(frozen=True)
class LayerCost:
    """Counts of one leaf module, per sample; shapes per sample and per time step."""

    name: str
    kind: str
    input_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...]
    params: int
    macs_per_step: int
    elementwise_ops_per_step: int
    steps: int
    is_mac: bool
    encoding: bool
    role: str | None

    @property
    def macs_total(self) -> int:
        return self.macs_per_step * self.steps

    @property
    def elementwise_ops_total(self) -> int:
        return self.elementwise_ops_per_step * self.steps

    def to_dict(self) -> dict:
        data = asdict(self)
        data["input_shapes"] = [list(s) for s in self.input_shapes]
        data["output_shape"] = list(self.output_shape)
        data["macs_total"] = self.macs_total
        return data


@dataclass(frozen=True)
class CostReport:
    """Per-layer and total costs of one model, per sample (MACs per step and over T)."""

    timesteps: int
    params: int
    layers: tuple[LayerCost, ...]
    unused: tuple[str, ...]

    @property
    def macs_per_step(self) -> int:
        return sum(layer.macs_per_step for layer in self.layers)

    @property
    def macs_total(self) -> int:
        return sum(layer.macs_total for layer in self.layers)

    @property
    def elementwise_ops_per_step(self) -> int:
        return sum(layer.elementwise_ops_per_step for layer in self.layers)

    @property
    def elementwise_ops_total(self) -> int:
        return sum(layer.elementwise_ops_total for layer in self.layers)

    @property
    def mac_layers(self) -> tuple[LayerCost, ...]:
        return tuple(layer for layer in self.layers if layer.is_mac)


    def totals(self) -> dict[str, int]:
        return {
            "params": self.params,
            "macs_per_step": self.macs_per_step,
            "macs_total": self.macs_total,
            "elementwise_ops_per_step": self.elementwise_ops_per_step,
            "elementwise_ops_total": self.elementwise_ops_total,
        }

    def to_dict(self) -> dict:
        return {"timesteps": self.timesteps, **self.totals(),
                "layers": [layer.to_dict() for layer in self.layers],
                "unused": list(self.unused)}


def count_costs(spec: ArchConfig | str | nn.Module, *, timesteps: int | None = None,
                sample_shape: tuple[int, ...] | None = None,
                encoding: tuple[str, ...] | None = None) -> CostReport:
    """Count parameters, MACs and element-wise operations of every layer of a model.

    ``spec`` is an ArchConfig or preset name (built on the meta device, cached) or a built
    model (meta or real; it runs one batch of zeros and keeps its parameters, buffers and
    train/eval flags). For a module without ``.config`` pass ``timesteps`` and
    ``sample_shape`` (C, H, W); the encoding layers are the model's ``encoding_layers()``,
    else ``encoding`` (names), else the first MAC layer called.
    """
    if isinstance(spec, nn.Module):
        return _count_module(spec, timesteps, sample_shape, encoding)
    if isinstance(spec, str):
        from autost.models import get_preset

        spec = get_preset(spec)
    return _count_config(spec)


@lru_cache(maxsize=512)
def _count_config(cfg: ArchConfig) -> CostReport:
    """Count a model part by part in forward order, each part from its cache."""
    from autost.models.builder import starts_stage

    outside = _GlobalKey.of(cfg)
    parts = [_splitter_costs(outside)]
    for i in range(cfg.depth):
        if starts_stage(cfg, i):
            parts.append(_downsample_costs(outside, i))
        parts.append(_block_costs_at(_BlockKey.of(cfg, i), i))
    parts.append(_head_costs(_HeadKey(cfg.block_widths()[-1], cfg.block_tokens()[-1],
                                      cfg.num_classes, cfg.timesteps, cfg)))
    return CostReport(cfg.timesteps, sum(p.params for p in parts),
                      tuple(layer for p in parts for layer in p.layers),
                      tuple(name for p in parts for name in p.unused))


def cache_clear() -> None:
    """Forget every count this process has kept (configs and their parts)."""
    for cached in (_count_config, _splitter_costs, _downsample_costs, _block_costs_at,
                   _block_costs, _head_costs):
        cached.cache_clear()


# ArchConfig fields that no encoder block reads (the splitter, stages and head do).
_NOT_BLOCK_FIELDS = frozenset({"blocks", "embed_dim", "input_size", "in_channels",
                               "num_classes", "patch_splitter", "patch_size", "stage_depths",
                               "name"})


@dataclass(frozen=True)
class _BlockKey:
    """What the costs of encoder block ``i`` depend on: its BlockConfig, width, tokens and
    the global fields that blocks read; ``cfg`` (to build the block) is not part of the key."""

    block: BlockConfig
    width: int
    tokens: int
    settings: tuple
    cfg: ArchConfig = field(compare=False)
    index: int = field(compare=False)

    @classmethod
    def of(cls, cfg: ArchConfig, i: int) -> _BlockKey:
        settings = tuple((f.name, getattr(cfg, f.name)) for f in fields(cfg)
                         if f.name not in _NOT_BLOCK_FIELDS)
        return cls(cfg.blocks[i], cfg.block_widths()[i], cfg.block_tokens()[i], settings,
                   cfg, i)


@dataclass(frozen=True)
class _GlobalKey:
    """What the costs of the splitter and the stage modules depend on: every field but the
    blocks (and the name); ``cfg`` (to build them) is not part of the key."""

    settings: tuple
    cfg: ArchConfig = field(compare=False)

    @classmethod
    def of(cls, cfg: ArchConfig) -> _GlobalKey:
        return cls(tuple((f.name, getattr(cfg, f.name)) for f in fields(cfg)
                         if f.name not in ("blocks", "name")), cfg)


@dataclass(frozen=True)
class _HeadKey:
    """What the costs of the classification head depend on."""

    width: int
    tokens: int
    num_classes: int
    timesteps: int
    cfg: ArchConfig = field(compare=False)


@lru_cache(maxsize=512)
def _splitter_costs(key: _GlobalKey) -> CostReport:
    from autost.layers import LayerFactory
    from autost.models.builder import build_splitter

    cfg = key.cfg
    splitter = _build_on_meta(build_splitter, LayerFactory(cfg))
    return _count_part(splitter, "patch_embed", cfg.timesteps,
                       (cfg.in_channels, cfg.input_size, cfg.input_size),
                       splitter.encoding_layers())


@lru_cache(maxsize=1024)
def _downsample_costs(key: _GlobalKey, i: int) -> CostReport:
    from autost.layers import LayerFactory
    from autost.models.builder import build_downsample

    cfg = key.cfg  # its input: the tokens and width of block i - 1
    return _count_part(_build_on_meta(build_downsample, LayerFactory(cfg), i),
                       f"downsamples.{i}", cfg.timesteps,
                       (cfg.block_tokens()[i - 1], cfg.block_widths()[i - 1]))


@lru_cache(maxsize=512)
def _head_costs(key: _HeadKey) -> CostReport:
    from autost.models.builder import build_head

    return _count_part(_build_on_meta(build_head, key.cfg), "head", key.timesteps,
                       (key.tokens, key.width))


@lru_cache(maxsize=8192)
def _block_costs_at(key: _BlockKey, i: int) -> CostReport:
    """The block's costs named as block ``i`` of a model."""
    return _prefixed(_block_costs(key), f"blocks.{i}.")


@lru_cache(maxsize=4096)
def _block_costs(key: _BlockKey) -> CostReport:
    """Costs of one encoder block, layer names relative to the block; counted once per
    process for each distinct key (candidates of a search share many blocks)."""
    from autost.layers import LayerFactory
    from autost.models.builder import build_block

    block = _build_on_meta(build_block, LayerFactory(key.cfg), key.index)
    return _count_part(block, "", key.cfg.timesteps, (key.tokens, key.width))


def _build_on_meta(build, *args) -> nn.Module:
    """``build(*args)`` on the meta device without weight initialisation. The shape pass
    runs outside the device context, whose Python hook would see every tensor operation."""
    from autost.models.builder import no_weight_init

    with torch.device("meta"), no_weight_init():
        return build(*args)


def _prefixed(report: CostReport, prefix: str) -> CostReport:
    return CostReport(report.timesteps, report.params,
                      tuple(replace(layer, name=prefix + layer.name) for layer in report.layers),
                      tuple(prefix + name for name in report.unused))


def _count_part(module: nn.Module, prefix: str, timesteps: int, sample_shape: tuple,
                encoding_layers=()) -> CostReport:
    """Costs of one meta-device part of a model; layer names start with ``prefix``."""
    modules = dict(module.named_modules(prefix=prefix))
    names = {id(m): n for n, m in modules.items()}
    encoding = tuple(names[id(m)] for m in encoding_layers)
    return _shape_pass(module, modules, timesteps, sample_shape, encoding)


def _count_module(model: nn.Module, timesteps, sample_shape, encoding) -> CostReport:
    cfg = getattr(model, "config", None)
    if timesteps is None or sample_shape is None:
        if cfg is None:
            raise CostModelError("a model without .config needs timesteps and sample_shape "
                                 "(C, H, W) to be counted")
        timesteps = timesteps or cfg.timesteps
        sample_shape = sample_shape or (cfg.in_channels, cfg.input_size, cfg.input_size)
    modules = dict(model.named_modules())
    if encoding is None and hasattr(model, "encoding_layers"):
        names = {id(m): n for n, m in modules.items()}
        encoding = tuple(names[id(m)] for m in model.encoding_layers())
    return _shape_pass(model, modules, timesteps, sample_shape, encoding)


def _shape_pass(model: nn.Module, modules: dict, timesteps: int, sample_shape: tuple,
                encoding: tuple[str, ...] | None) -> CostReport:
    """One forward of a batch of zeros [T, T + 1, *sample_shape] with counting forwards.

    ``encoding`` names the encoding layers; None: the first MAC layer called.
    """
    calls: dict[str, list] = {}
    parameters = {id(p): p for m in modules.values() for p in m._parameters.values()
                  if p is not None}
    device = next((p.device for p in parameters.values()), torch.device("meta"))
    x = torch.zeros(timesteps, shape_pass_batch(timesteps), *sample_shape, device=device)
    with _ShapePass(model, modules, calls, device.type == "meta"):
        model(x)
    if encoding is None:
        encoding = next(((n,) for n in calls if is_mac_layer(modules[n])), ())
    layers = [_layer_cost(modules, n, records, timesteps, encoding)
              for n, records in calls.items()]
    unused = tuple(n for n, m in modules.items()
                   if n not in calls and not m._modules and m._parameters)
    params = sum(p.numel() for p in parameters.values())
    return CostReport(timesteps, params, tuple(layers), unused)


class _ShapePass:
    """Counting forwards on every leaf module (shape rules on the meta device), no autograd.

    Each leaf gets an instance ``forward`` that runs the shape rule (meta) or the module's
    own forward (real device) and records the call: cheaper than forward hooks, which send
    every call through ``nn.Module``'s slow path. A real model also runs in eval mode, so
    BatchNorm statistics are not updated; on the meta device nothing depends on the mode.
    """

    def __init__(self, model: nn.Module, modules: dict, calls: dict[str, list], meta: bool):
        self.model, self.modules, self.calls, self.meta = model, modules, calls, meta

    def __enter__(self):
        self.wrapped = []
        for name, module in self.modules.items():
            if module._modules:
                continue
            shape = shape_forward(module) if self.meta else None
            if type(module) in FREE_KINDS:
                if shape is None:
                    continue
                forward = shape  # free, but a meta kernel would be slow (Concat)
            else:
                forward = self._counting(name, module, shape or module.forward)
            object.__setattr__(module, "forward", forward)
            self.wrapped.append(module)
        if not self.meta:
            self.training = [(m, m.training) for m in self.modules.values()]
            self.model.eval()
        self.no_grad = torch.no_grad()
        self.no_grad.__enter__()
        return self

    def _counting(self, name: str, module: nn.Module, compute):
        records = self.calls

        def forward(*args):
            out = compute(*args)
            inputs = tuple(a for a in args if isinstance(a, torch.Tensor))
            macs, ops = rule_for(module, name)(module, inputs, out)
            records.setdefault(name, []).append(
                (tuple(t.shape for t in inputs), tuple(out.shape), macs, ops))
            return out

        return forward

    def __exit__(self, *exc):
        self.no_grad.__exit__(*exc)
        for module in self.wrapped:
            del module.__dict__["forward"]
        if not self.meta:
            for module, training in self.training:
                module.training = training
        return False


def _per_sample(shape: tuple[int, ...], timesteps: int, name: str) -> tuple[tuple, int]:
    """Strip the leading batch (and time) axes: (per-sample shape, steps the tensor holds).

    The leading axes end where their product first reaches T x B (a per-step tensor, T
    folded into the batch or time-major) or B (a tensor of once-per-sample values).
    """
    batch = shape_pass_batch(timesteps)
    lead = 1
    for k, size in enumerate(shape):
        lead *= size
        if lead in (batch, timesteps * batch):
            return tuple(shape[k + 1:]), timesteps if lead == timesteps * batch else 1
    raise CostModelError(f"layer {name!r} sees a tensor of shape {list(shape)} whose leading "
                         f"axes are neither T x batch ({timesteps} x {batch}) nor batch")


def _layer_cost(modules: dict, name: str, records: list, timesteps: int,
                encoding: tuple[str, ...]) -> LayerCost:
    """The counts of one layer; MAC layers get their role (for prior rates)."""
    module = modules[name]
    in_shapes, out_shape, _, _ = records[0]
    per_sample = [_per_sample(s, timesteps, name) for s in (*in_shapes, out_shape)]
    steps = per_sample[0][1]
    per_call = shape_pass_batch(timesteps) * steps
    macs = sum(r[2] for r in records)
    ops = sum(r[3] for r in records)
    is_mac = is_mac_layer(module)
    is_encoding = is_mac and name in encoding
    return LayerCost(
        name=name, kind=type(module).__name__,
        input_shapes=tuple(shape for shape, _ in per_sample[:-1]),
        output_shape=per_sample[-1][0],
        params=sum(p.numel() for p in module._parameters.values() if p is not None),
        macs_per_step=_exact_div(macs, per_call, name),
        elementwise_ops_per_step=_exact_div(ops, per_call, name),
        steps=steps, is_mac=is_mac, encoding=is_encoding,
        role=layer_role(modules, name, is_encoding) if is_mac else None,
    )


def _exact_div(count: int, by: int, name: str) -> int:
    if count % by:
        raise CostModelError(f"layer {name!r}: {count} operations do not split evenly over "
                             f"{by} samples x steps; its tensors mix samples or time steps")
    return count // by
