"""Build an nn.Module from an ArchConfig: patch splitter, encoder blocks, stage modules, head.

The parts are built by the ``build_*`` functions, which the cost pass also calls to build
(and count) one part at a time.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from autost.arch import ArchConfig
from autost.exceptions import DatasetError
from autost.layers import (
    CHANNEL_MIXER_REGISTRY,
    PATCH_SPLITTER_REGISTRY,
    TOKEN_MIXER_REGISTRY,
    ClassificationHead,
    EncoderBlock,
    LayerFactory,
    SpedsDownsample,
    TokenMixingLinear,
    lookup,
)

# The kinds with parameters that autost's layers build: what ``reset_parameters`` initialises.
_INITIALISED_KINDS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d,
                      TokenMixingLinear)


class SpikingTransformer(nn.Module):
    """The spiking transformer an ArchConfig describes.

    Children: ``patch_embed`` (the splitter), ``blocks`` (one EncoderBlock per BlockConfig,
    each with ``token_mixer`` and ``channel_mixer``), ``downsamples`` (for hierarchical
    ``speds`` models: key "i" is the stage module applied before block i) and ``head``.
    Input [B, C, H, W] (repeated T times, direct encoding) or [T, B, C, H, W] (event data);
    output logits [B, num_classes].
    """

    def __init__(self, cfg: ArchConfig, mask_seed: int = 0):
        super().__init__()
        self.config = cfg
        make = LayerFactory(cfg, mask_seed)
        self.patch_embed = build_splitter(make)
        self.downsamples = nn.ModuleDict()
        blocks = []
        for i in range(cfg.depth):
            if starts_stage(cfg, i):
                self.downsamples[str(i)] = build_downsample(make, i)
            blocks.append(build_block(make, i))
        self.blocks = nn.ModuleList(blocks)
        self.head = build_head(cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(self._time_major(x))
        for i, block in enumerate(self.blocks):
            if str(i) in self.downsamples:
                x = self.downsamples[str(i)](x)
            x = block(x)
        return self.head(x)

    def encoding_layers(self) -> list[nn.Module]:
        """The dense MAC layers: those that read analog values, not spikes or sums of
        spikes (the image; for ``ms`` residuals also SPS's RPE conv). Energy charges them
        E_MAC per MAC, every step."""
        return self.patch_embed.encoding_layers()

    def _time_major(self, x: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        image = (cfg.in_channels, cfg.input_size, cfg.input_size)
        if x.dim() == 4 and tuple(x.shape[1:]) == image:
            return x.unsqueeze(0).repeat(cfg.timesteps, 1, 1, 1, 1)
        if x.dim() == 5 and x.shape[0] == cfg.timesteps and tuple(x.shape[2:]) == image:
            return x
        c, s = cfg.in_channels, cfg.input_size
        raise DatasetError(
            f"input of shape {list(x.shape)} does not fit this model: expected [B, {c}, {s}, "
            f"{s}] or [{cfg.timesteps}, B, {c}, {s}, {s}] (T = timesteps)"
        )


def create_model(spec: ArchConfig | str, *, mask_seed: int = 0,
                 init_weights: bool = True) -> SpikingTransformer:
    """Build the model of an ArchConfig or a preset name on the current default device.

    Under ``with torch.device("meta"):`` nothing is allocated, which makes parameter counts
    of large models instant. ``mask_seed`` seeds the random spike masks (MST), if any.
    ``init_weights=False`` skips weight initialisation (see :func:`no_weight_init`).
    """
    if isinstance(spec, str):
        from autost.models.presets import get_preset

        spec = get_preset(spec)
    if init_weights:
        return SpikingTransformer(spec, mask_seed=mask_seed)
    with no_weight_init():
        return SpikingTransformer(spec, mask_seed=mask_seed)


@contextmanager
def no_weight_init() -> Iterator[None]:
    """Build layers without initialising their parameters and BatchNorm statistics.

    For building on the meta device, where initialisation computes nothing but costs half
    of the build in Python overhead; parameters keep their shapes, so counts stay exact. On
    a real device the values are ``torch.empty``'s. Within the block ``reset_parameters``
    of the layer kinds autost builds is a no-op (for every thread); it is restored after.
    """
    saved = [kind.__dict__.get("reset_parameters") for kind in _INITIALISED_KINDS]
    for kind in _INITIALISED_KINDS:
        kind.reset_parameters = _no_init
    try:
        yield
    finally:
        for kind, method in zip(_INITIALISED_KINDS, saved, strict=True):
            if method is None:
                del kind.reset_parameters
            else:
                kind.reset_parameters = method


def _no_init(self) -> None:
    pass


def build_splitter(make: LayerFactory) -> nn.Module:
    """The patch splitter of ``make.cfg``: image [T, B, C, H, W] -> tokens of block 0."""
    cfg = make.cfg
    return lookup(PATCH_SPLITTER_REGISTRY, "patch splitter", cfg.patch_splitter)(make)


def starts_stage(cfg: ArchConfig, i: int) -> bool:
    """Whether a stage module (``speds`` models) runs before block ``i``."""
    stages = cfg.stage_of_blocks()
    return i > 0 and stages[i] != stages[i - 1]


def build_downsample(make: LayerFactory, i: int) -> SpedsDownsample:
    """The stage module before block ``i``: tokens of block i - 1 -> tokens of block i."""
    widths, tokens = make.cfg.block_widths(), make.cfg.block_tokens()
    side = int(round(tokens[i - 1] ** 0.5))
    return SpedsDownsample(widths[i - 1], widths[i], side, make)


def build_block(make: LayerFactory, i: int) -> EncoderBlock:
    """Encoder block ``i`` of ``make.cfg`` at its stage's width and token count."""
    cfg = make.cfg
    block, width, tokens = cfg.blocks[i], cfg.block_widths()[i], cfg.block_tokens()[i]
    token_cls = lookup(TOKEN_MIXER_REGISTRY, "token mixer", block.token_mixer)
    channel_cls = lookup(CHANNEL_MIXER_REGISTRY, "channel mixer", block.channel_mixer)
    return EncoderBlock(token_cls(width, tokens, block, make),
                        channel_cls(width, tokens, block, make), make)


def build_head(cfg: ArchConfig) -> ClassificationHead:
    """The classification head on the tokens of the last block."""
    return ClassificationHead(cfg.block_widths()[-1], cfg.num_classes, cfg.block_tokens()[-1],
                              cfg.timesteps)


def count_params(spec: ArchConfig | str | nn.Module) -> int:
    """Number of parameters (all used in forward), built on the meta device when needed."""
    if isinstance(spec, nn.Module):
        return sum(p.numel() for p in spec.parameters())
    with torch.device("meta"):
        return count_params(create_model(spec))
