"""Multi-step LIF neuron in plain PyTorch (Spikformer eq. 1-3; spikingjelly's MultiStepLIFNode).

H[t] = V[t-1] + (X[t] - (V[t-1] - V_reset)) / tau, S[t] = Theta(H[t] - V_th),
V[t] = H[t] (1 - S[t]) + V_reset S[t] (hard reset, reset detached from the graph).
The backward pass of Theta is the derivative of sigmoid(alpha x), alpha = 4.
Membrane state lives only inside one forward call over the T axis, so no ``reset_net``.
"""

import torch
from torch import nn


class SigmoidSurrogateSpike(torch.autograd.Function):
    """Heaviside step forward; alpha * s * (1 - s) with s = sigmoid(alpha x) backward.

    ``fired`` is the precomputed boolean x >= 0, so the LIF compares only once per step.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, fired: torch.Tensor, alpha: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return fired.to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(ctx.alpha * x)
        return grad_output * ctx.alpha * s * (1 - s), None, None


def spike(x: torch.Tensor, alpha: float = 4.0) -> torch.Tensor:
    """Fire where x >= 0, with the sigmoid surrogate gradient."""
    return SigmoidSurrogateSpike.apply(x, x >= 0, alpha)


class LIF(nn.Module):
    """Multi-step leaky integrate-and-fire layer over inputs shaped [T, ...].

    ``v_threshold`` is 1.0 for ordinary neurons and 0.5 for attention-map neurons.
    Activations are large and the update is memory-bound, so each step makes four passes
    over the tensor: charge (one lerp), compare, cast, reset (one masked fill).
    """

    def __init__(self, tau: float = 2.0, v_threshold: float = 1.0, v_reset: float = 0.0,
                 alpha: float = 4.0):
        super().__init__()
        self.tau = tau
        self.v_threshold = v_threshold
        self.v_reset = v_reset
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return torch.stack([s for s, _ in self._steps(x)])
        out = torch.empty_like(x)  # inference: cast each step straight into the output
        for t, (s, _) in enumerate(self._steps(x, cast=False)):
            out[t] = s
        return out

    def simulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Spikes S and charged membrane H (before the reset), both shaped like x."""
        spikes, charges = zip(*self._steps(x), strict=True)
        return torch.stack(spikes), torch.stack(charges)

    def _steps(self, x: torch.Tensor, cast: bool = True):
        """Yield (spikes, charge) per step; spikes stay boolean when ``cast`` is False."""
        # H = V + (X - (V - V_reset)) / tau = lerp(V, X + V_reset, 1 / tau)
        if self.v_reset:
            x = x + self.v_reset
        v = torch.full_like(x[0], self.v_reset)
        for x_t in x:
            h = torch.lerp(v, x_t, 1.0 / self.tau)
            fired = h >= self.v_threshold
            if torch.is_grad_enabled() and h.requires_grad:
                s = SigmoidSurrogateSpike.apply(h - self.v_threshold, fired, self.alpha)
            else:
                s = fired.to(h.dtype) if cast else fired
            v = h.masked_fill(fired, self.v_reset)  # hard reset; the mask carries no gradient
            yield s, h

    def extra_repr(self) -> str:
        return f"tau={self.tau}, v_threshold={self.v_threshold}, v_reset={self.v_reset}"
