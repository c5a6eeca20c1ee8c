"""Spiking-transformer layers: neuron, ops, patch splitters, token and channel mixers, head.

One concept per module. Registries map the names of :mod:`autost.arch` (TOKEN_MIXERS,
CHANNEL_MIXERS, PATCH_SPLITTERS) to classes, so tests and the builder look them up by name.

Contracts. A token or channel mixer is built as ``cls(dim, num_tokens, block, make)``
(``block`` a BlockConfig, ``make`` a :class:`LayerFactory`) and maps [T, B, N, D] to
[T, B, N, D]; it is a *core* that ends in BatchNorm, the residual neuron belongs to
:class:`EncoderBlock`. A patch splitter is built as ``cls(make)``, maps the image
[T, B, C, H, W] to tokens [T, B, N, D] and lists the MAC layers that read analog values
(the image, analog features) in ``encoding_layers()``: they are dense, not spike-driven.
"""

from autost.exceptions import unknown_name
from autost.layers.block import EncoderBlock
from autost.layers.conv_mixer import ConvTokenMixer
from autost.layers.emsa import ExpertsMixtureAttention
from autost.layers.emsp import ExpertsMixturePerceptron
from autost.layers.factory import LayerFactory
from autost.layers.head import ClassificationHead
from autost.layers.ipsps import IPSPS
from autost.layers.mask import RandomSpikeMask
from autost.layers.mlp import SpikingMLP
from autost.layers.neuron import LIF, spike
from autost.layers.qk_attention import QKChannelAttention, QKTokenAttention
from autost.layers.sdsa import SpikeDrivenSelfAttention
from autost.layers.speds import SpedsDownsample, SpedsStem
from autost.layers.sps import SPS, MembraneShortcutSPS
from autost.layers.ssa import SpikingSelfAttention
from autost.layers.stm import STMTokenMixer, TokenMixingLinear

TOKEN_MIXER_REGISTRY = {
    "ssa": SpikingSelfAttention,
    "qk_token": QKTokenAttention,
    "qk_channel": QKChannelAttention,
    "stm": STMTokenMixer,
    "emsa": ExpertsMixtureAttention,
    "conv": ConvTokenMixer,
    "sdsa": SpikeDrivenSelfAttention,
}
CHANNEL_MIXER_REGISTRY = {
    "mlp": SpikingMLP,
    "emsp": ExpertsMixturePerceptron,
}
PATCH_SPLITTER_REGISTRY = {
    "sps": SPS,
    "ms_sps": MembraneShortcutSPS,
    "ipsps": IPSPS,
    "speds": SpedsStem,
}


def lookup(registry: dict, kind: str, name: str):
    """registry[name], or an UnknownNameError naming the closest known names."""
    try:
        return registry[name]
    except KeyError:
        raise unknown_name(kind, name, registry) from None


__all__ = [
    "CHANNEL_MIXER_REGISTRY",
    "IPSPS",
    "LIF",
    "PATCH_SPLITTER_REGISTRY",
    "SPS",
    "TOKEN_MIXER_REGISTRY",
    "ClassificationHead",
    "ConvTokenMixer",
    "EncoderBlock",
    "ExpertsMixtureAttention",
    "ExpertsMixturePerceptron",
    "LayerFactory",
    "MembraneShortcutSPS",
    "QKChannelAttention",
    "QKTokenAttention",
    "RandomSpikeMask",
    "STMTokenMixer",
    "SpedsDownsample",
    "SpedsStem",
    "SpikeDrivenSelfAttention",
    "SpikingMLP",
    "SpikingSelfAttention",
    "TokenMixingLinear",
    "lookup",
    "spike",
]
