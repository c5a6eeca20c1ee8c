"""LayerFactory: the neurons and spike masks every layer of one model shares settings for."""

from torch import nn

from autost.arch import ArchConfig
from autost.layers.mask import RandomSpikeMask
from autost.layers.neuron import LIF


class LayerFactory:
    """Make LIF neurons and random spike masks with the settings of one ArchConfig.

    Masks are numbered in construction order, so mask k of a model built with
    ``mask_seed`` s always draws from the same seed; ``mask()`` is ``nn.Identity`` when
    ``cfg.mask_ratio`` is 0, which leaves parameter counts and costs unchanged.
    """

    def __init__(self, cfg: ArchConfig, mask_seed: int = 0):
        self.cfg = cfg
        self.mask_seed = mask_seed
        self._masks = 0

    def lif(self) -> LIF:
        """A LIF with the ordinary threshold (1.0 by default)."""
        return self._lif(self.cfg.v_threshold)

    def attention_lif(self) -> LIF:
        """A LIF for attention maps (threshold 0.5 by default, as Spikformer's SSA)."""
        return self._lif(self.cfg.attention_v_threshold)

    def _lif(self, v_threshold: float) -> LIF:
        c = self.cfg
        return LIF(tau=c.tau, v_threshold=v_threshold, alpha=c.surrogate_alpha,
                   decay_input=c.decay_input, surrogate=c.surrogate,
                   detach_reset=c.detach_reset)

    def mask(self) -> nn.Module:
        """The next random spike mask of this model, or nn.Identity without masking."""
        if self.cfg.mask_ratio == 0:
            return nn.Identity()
        seed = self.mask_seed * 10_007 + self._masks
        self._masks += 1
        return RandomSpikeMask(self.cfg.mask_ratio, seed)
