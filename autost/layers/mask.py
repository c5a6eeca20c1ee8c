"""Random Spike Masking (RSM) of the Masked Spiking Transformer (Wang et al., ICCV 2023).

Each spike is dropped with probability ``ratio`` (mask = U(0, 1) >= ratio, no rescaling),
in training **and** inference, which lowers SOPs in proportion (reference §8). The
multiplication is an :class:`~autost.layers.ops.ElementwiseMul` child, so the cost pass
counts it with the other element-wise work; drawing the mask is not network compute.
"""

import torch
from torch import nn

from autost.layers.ops import ElementwiseMul


class RandomSpikeMask(nn.Module):
    """Zero a random ``ratio`` of the elements of x, a fresh mask per forward call.

    Call k of one module draws from a ``torch.Generator`` seeded with ``(seed, k)``, so a
    freshly built model gives the same masks for the same sequence of calls, and the state
    is a plain counter (the module pickles and deep-copies).
    """

    def __init__(self, ratio: float, seed: int):
        super().__init__()
        if not 0.0 < ratio < 1.0:
            raise ValueError(f"mask ratio {ratio} must be in (0, 1); use nn.Identity for 0")
        self.ratio = ratio
        self.seed = seed
        self.calls = 0
        self.apply_mask = ElementwiseMul()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type == "meta":
            keep = torch.empty(x.shape, device="meta")  # empty_like: 50x slower on meta
        else:
            generator = torch.Generator(device=x.device)
            generator.manual_seed(self.seed * 1_000_003 + self.calls)
            keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
            keep = (keep >= self.ratio).to(x.dtype)
        self.calls += 1
        return self.apply_mask(x, keep)

    def extra_repr(self) -> str:
        return f"ratio={self.ratio}, seed={self.seed}"
