"""Encoder block: x + TokenMixer(x), then x + ChannelMixer(x), with an explicit residual type.

Every mixer is a *core* that ends in BN; the block places the residual neuron (reference
§2.3). ``sew`` (SEW / activation-before-addition: Spikformer, QKFormer) puts a LIF after
the core, so each branch ends in spikes and the stream is a sum of spikes (integers).
``ms`` (membrane shortcut / pre-activation: Spike-driven Transformer, STMixer, AutoST)
puts a LIF before the core, so each branch starts with spikes and the stream is analog.
The neuron that is off is an ``nn.Identity``.
"""

import torch
from torch import nn

from autost.layers.ops import Add


class EncoderBlock(nn.Module):
    """One block on [T, B, N, D]: ``pre_*`` / ``post_*`` are the residual neurons."""

    def __init__(self, token_mixer: nn.Module, channel_mixer: nn.Module, make):
        super().__init__()
        sew = make.cfg.residual == "sew"
        self.pre_token = nn.Identity() if sew else make.lif()
        self.token_mixer = token_mixer
        self.post_token = make.lif() if sew else nn.Identity()
        self.token_add = Add()
        self.pre_channel = nn.Identity() if sew else make.lif()
        self.channel_mixer = channel_mixer
        self.post_channel = make.lif() if sew else nn.Identity()
        self.channel_add = Add()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.token_add(x, self.post_token(self.token_mixer(self.pre_token(x))))
        return self.channel_add(x, self.post_channel(self.channel_mixer(self.pre_channel(x))))
