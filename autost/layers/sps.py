"""Spiking Patch Splitting (SPS) of Spikformer (Zhou et al., ICLR 2023), reference §4.2.

Four Conv3x3 (bias-free) -> BN -> LIF blocks with D/8, D/4, D/2, D channels, a MaxPool
(3, 2, 1) after the LIF of the last log2(patch_size) blocks, then the relative position
embedding RPE = LIF(BN(Conv3x3(x))) and the output x + RPE. patch_size 4 gives the CIFAR
layout (pools after conv2 and conv3, ZK-Zhou/spikformer cifar10/model.py), 16 the ImageNet
layout (a pool after every conv, imagenet/model.py). For ``ms`` residuals the LIFs after
the last conv and after the RPE conv are dropped, as in AutoST's model.py: the output is
analog and the RPE conv reads analog values (a dense layer).

:class:`MembraneShortcutSPS` is the Spike-driven Transformer's MS_SPS (Yao et al.,
NeurIPS 2023; BICLab/Spike-Driven-Transformer module/sps.py): the same convs, but a LIF
turns the last conv's analog output into spikes before the RPE conv, whose output is
added to that analog output. Every conv after the first then reads spikes.
"""

import math

import torch
from torch import nn

from autost.layers.conv_bn import ConvBN, max_pool
from autost.layers.layout import fold_time, to_tokens
from autost.layers.ops import Add


class SPS(nn.Module):
    """[T, B, C, H, W] image -> [T, B, N, D] tokens, N = (H / patch_size)^2."""

    def __init__(self, make):
        super().__init__()
        cfg = make.cfg
        d = cfg.embed_dim
        sew = cfg.residual == "sew"
        channels = [cfg.in_channels, d // 8, d // 4, d // 2, d]
        first_pool = 4 - int(math.log2(cfg.patch_size))
        self.convs = nn.ModuleList(ConvBN(channels[i], channels[i + 1]) for i in range(4))
        self.lifs = nn.ModuleList(
            make.lif() if sew or i < 3 else nn.Identity() for i in range(4)
        )
        self.pools = nn.ModuleList(
            max_pool() if i >= first_pool else nn.Identity() for i in range(4)
        )
        self.rpe = ConvBN(d, d)
        self.rpe_lif = make.lif() if sew else nn.Identity()
        self.add = Add()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, lif, pool in zip(self.convs, self.lifs, self.pools, strict=True):
            x = fold_time(pool, lif(conv(x)))
        x = self.add(x, self.rpe_lif(self.rpe(self.rpe_input(x))))
        return to_tokens(x)

    def rpe_input(self, x: torch.Tensor) -> torch.Tensor:
        """What the RPE conv reads: the last stage's output as it is."""
        return x

    def encoding_layers(self) -> list[nn.Module]:
        """The convs that read analog values: the first (the image) and, for ``ms``
        residuals, the RPE conv (the last conv has no LIF, so it reads BN outputs)."""
        analog_rpe = isinstance(self.lifs[-1], nn.Identity)
        return [self.convs[0].conv, *([self.rpe.conv] if analog_rpe else [])]


class MembraneShortcutSPS(SPS):
    """SPS whose RPE conv reads spikes: the Spike-driven Transformer's MS_SPS (``ms``
    residuals only, so the last conv has no LIF of its own)."""

    def __init__(self, make):
        super().__init__(make)
        self.rpe_lif_in = make.lif()

    def rpe_input(self, x: torch.Tensor) -> torch.Tensor:
        return self.rpe_lif_in(x)

    def encoding_layers(self) -> list[nn.Module]:
        """Only the first conv reads analog values (the image)."""
        return [self.convs[0].conv]
