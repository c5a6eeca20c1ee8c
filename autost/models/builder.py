"""Build an nn.Module from an ArchConfig: patch splitter, encoder blocks, stage modules, head."""

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
    lookup,
)


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
        self.patch_embed = lookup(PATCH_SPLITTER_REGISTRY, "patch splitter",
                                  cfg.patch_splitter)(make)
        widths, tokens, stages = cfg.block_widths(), cfg.block_tokens(), cfg.stage_of_blocks()
        self.downsamples = nn.ModuleDict()
        blocks = []
        for i, block in enumerate(cfg.blocks):
            if i > 0 and stages[i] != stages[i - 1]:
                side = int(round(tokens[i - 1] ** 0.5))
                self.downsamples[str(i)] = SpedsDownsample(widths[i - 1], widths[i], side, make)
            token_cls = lookup(TOKEN_MIXER_REGISTRY, "token mixer", block.token_mixer)
            channel_cls = lookup(CHANNEL_MIXER_REGISTRY, "channel mixer", block.channel_mixer)
            blocks.append(EncoderBlock(token_cls(widths[i], tokens[i], block, make),
                                       channel_cls(widths[i], tokens[i], block, make), make))
        self.blocks = nn.ModuleList(blocks)
        self.head = ClassificationHead(widths[-1], cfg.num_classes, tokens[-1], cfg.timesteps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(self._time_major(x))
        for i, block in enumerate(self.blocks):
            if str(i) in self.downsamples:
                x = self.downsamples[str(i)](x)
            x = block(x)
        return self.head(x)

    def encoding_layers(self) -> list[nn.Module]:
        """The dense MAC layers that read the analog input image."""
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


def create_model(spec: ArchConfig | str, *, mask_seed: int = 0) -> SpikingTransformer:
    """Build the model of an ArchConfig or a preset name on the current default device.

    Under ``with torch.device("meta"):`` nothing is allocated, which makes parameter counts
    of large models instant. ``mask_seed`` seeds the random spike masks (MST), if any.
    """
    if isinstance(spec, str):
        from autost.models.presets import get_preset

        spec = get_preset(spec)
    return SpikingTransformer(spec, mask_seed=mask_seed)


def count_params(spec: ArchConfig | str | nn.Module) -> int:
    """Number of parameters (all used in forward), built on the meta device when needed."""
    if isinstance(spec, nn.Module):
        return sum(p.numel() for p in spec.parameters())
    with torch.device("meta"):
        return count_params(create_model(spec))
