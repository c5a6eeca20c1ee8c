"""Spiking Patch Embedding with Deformed Shortcut (SPEDS) of QKFormer (Zhou et al., NeurIPS 2024).

Y = F(X) + SN(BN(W_d X)): a main path of Conv3x3 -> BN (-> MaxPool) -> LIF units and a
1x1 conv shortcut, added as spikes (reference §5.3, zhouchenlin2096/QKFormer
cifar10/model.py and imagenet/qkformer.py). :class:`SpedsStem` embeds the image into the
first stage (width c1 = D / 2^(stages-1)); :class:`SpedsDownsample` sits between stages,
halving the grid and doubling the width.

Layouts: patch_size 4 is the CIFAR layout (stem: two convs, no pooling for three stages;
stage module pools after its second conv), 16 the ImageNet layout (stem: three convs,
pools after the first two for three stages; stage module pools after its first conv).
Other stage counts move the stem's pools so the last stage has (input / patch_size)^2
tokens. For ``ms`` residuals the last LIF of each path is dropped (the output is analog,
like SPS in AutoST) and each stage module starts with a LIF on the residual stream.
"""

import math

import torch
from torch import nn

from autost.layers.conv_bn import ConvBN
from autost.layers.layout import to_grid, to_tokens
from autost.layers.ops import Add


def _last_lif(make) -> nn.Module:
    return make.lif() if make.cfg.residual == "sew" else nn.Identity()


class SpedsStem(nn.Module):
    """[T, B, C, H, W] image -> [T, B, N1, c1] tokens of the first stage."""

    def __init__(self, make):
        super().__init__()
        cfg = make.cfg
        stages = len(cfg.stage_depths)
        c1 = cfg.embed_dim // 2 ** (stages - 1)
        pools = int(math.log2(cfg.patch_size)) - (stages - 1)
        if cfg.patch_size == 16:
            channels = [cfg.in_channels, c1 // 2, c1, c1]
            pooled = [i < pools for i in range(3)]
        else:
            channels = [cfg.in_channels, c1 // 2, c1]
            pooled = [i >= 2 - pools for i in range(2)]
        n = len(pooled)
        self.convs = nn.ModuleList(
            ConvBN(channels[i], channels[i + 1], pool=pooled[i]) for i in range(n)
        )
        self.lifs = nn.ModuleList(make.lif() if i < n - 1 else _last_lif(make) for i in range(n))
        self.shortcut = ConvBN(c1 // 2, c1, kernel_size=1, stride=2 ** sum(pooled[1:]))
        self.shortcut_lif = _last_lif(make)
        self.add = Add()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.lifs[0](self.convs[0](x))
        feat = x
        for conv, lif in zip(self.convs[1:], self.lifs[1:], strict=True):
            x = lif(conv(x))
        return to_tokens(self.add(x, self.shortcut_lif(self.shortcut(feat))))

    def encoding_layers(self) -> list[nn.Module]:
        """The conv that reads the analog image."""
        return [self.convs[0].conv]


class SpedsDownsample(nn.Module):
    """Stage transition [T, B, side^2, c_in] -> [T, B, (side/2)^2, c_out] (QKFormer's stage embed).

    Main path Conv3x3 c_in -> c_out, BN, LIF, Conv3x3 c_out -> c_out, BN, LIF with the pool
    after the second BN (CIFAR layout) or the first (ImageNet layout); shortcut Conv1x1
    stride 2, BN, LIF.
    """

    def __init__(self, in_dim: int, out_dim: int, side: int, make):
        super().__init__()
        imagenet = make.cfg.patch_size == 16
        self.side = side
        self.pre_lif = nn.Identity() if make.cfg.residual == "sew" else make.lif()
        self.conv1 = ConvBN(in_dim, out_dim, pool=imagenet)
        self.lif1 = make.lif()
        self.conv2 = ConvBN(out_dim, out_dim, pool=not imagenet)
        self.lif2 = _last_lif(make)
        self.shortcut = ConvBN(in_dim, out_dim, kernel_size=1, stride=2)
        self.shortcut_lif = _last_lif(make)
        self.add = Add()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pre_lif(to_grid(x, self.side))
        main = self.lif2(self.conv2(self.lif1(self.conv1(x))))
        return to_tokens(self.add(main, self.shortcut_lif(self.shortcut(x))))
