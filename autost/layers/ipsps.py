"""Information-Protect SPS (IPSPS) of STMixer (Deng et al., NeurIPS 2024), reference §6.2.

Main path: five Conv3x3 (bias-free) -> BN with D/8, D/4, D/2, D, 7D/8 channels, LIF after
the first four, no max-pool; the last log2(patch_size) convs have stride 2. Protect path:
one Conv(kernel = stride = patch_size, 3 -> D/8) -> BN on the analog image. The two are
concatenated on channels (D/8 + 7D/8 = D) and the output is analog
(brain-intelligence-lab/STMixer_demo models/STMixer.py, class SPSV2). For ``sew``
residuals a LIF follows the concatenation, so the residual stream is a sum of spikes.
"""

import math

import torch
from torch import nn

from autost.layers.conv_bn import ConvBN
from autost.layers.layout import to_tokens
from autost.layers.ops import Concat


class IPSPS(nn.Module):
    """[T, B, C, H, W] image -> [T, B, N, D] tokens, N = (H / patch_size)^2."""

    def __init__(self, make):
        super().__init__()
        cfg = make.cfg
        d = cfg.embed_dim
        channels = [cfg.in_channels, d // 8, d // 4, d // 2, d, d - d // 8]
        first_stride = 5 - int(math.log2(cfg.patch_size))
        self.convs = nn.ModuleList(
            ConvBN(channels[i], channels[i + 1], stride=2 if i >= first_stride else 1)
            for i in range(5)
        )
        self.lifs = nn.ModuleList(make.lif() for _ in range(4))
        self.protect = ConvBN(cfg.in_channels, d // 8, kernel_size=cfg.patch_size,
                              stride=cfg.patch_size)
        self.cat = Concat(dim=2)
        self.out_lif = make.lif() if cfg.residual == "sew" else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        protected = self.protect(x)
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if i < len(self.lifs):
                x = self.lifs[i](x)
        return self.out_lif(to_tokens(self.cat(protected, x)))

    def encoding_layers(self) -> list[nn.Module]:
        """The two convs that read the analog image: main path and protect path."""
        return [self.convs[0].conv, self.protect.conv]
