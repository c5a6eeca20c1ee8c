"""Multi-step LIF neuron in plain PyTorch (spikingjelly's MultiStepLIFNode, two charge rules).

Charge with ``decay_input`` (Spikformer eq. 1-3): H[t] = V[t-1] + (X[t] - (V[t-1] - V_reset))
/ tau; without it: H[t] = V[t-1] - (V[t-1] - V_reset) / tau + X[t], at tau = 2, V_reset = 0
STMixer's ``mem = 0.5 mem + x`` (Deng et al., NeurIPS 2024; STMixer_demo's LIFSpike).
Fire S[t] = Theta(H[t] - V_th); hard reset V[t] = H[t] (1 - S[t]) + V_reset S[t], with the
reset detached from the graph (Spikformer) or not (STMixer). The backward pass of Theta is a
surrogate: the derivative of sigmoid(alpha x) (Spikformer, alpha = 4) or of Dspike's
tanh(gamma x) / (2 tanh gamma) on |x| <= 1 (Li et al., NeurIPS 2021; STMixer, gamma = 2.5).
Membrane state lives only inside one forward call over the T axis, so no ``reset_net``.
"""

import math

import torch
from torch import nn


def _sigmoid_backward(grad: torch.Tensor, h: torch.Tensor, threshold: float,
                      alpha: float) -> tuple[torch.Tensor, float]:
    # alpha (h - threshold) in one pass, as alpha h - alpha threshold
    s = torch.add(torch.tensor(-alpha * threshold, dtype=h.dtype), h, alpha=alpha).sigmoid_()
    return torch.ops.aten.sigmoid_backward(grad, s), alpha  # grad s (1 - s), times alpha


def _dspike_backward(grad: torch.Tensor, h: torch.Tensor, threshold: float,
                     gamma: float) -> tuple[torch.Tensor, float]:
    x = h - threshold
    m = torch.tanh(gamma * x)
    return grad * (1 - m * m).masked_fill_(x.abs() > 1.0, 0.0), gamma / (2 * math.tanh(gamma))


# By surrogate name: grad times the surrogate derivative at h - threshold, as a tensor and a
# constant factor to multiply it by (which the LIF's backward applies once, at the end).
SURROGATE_BACKWARDS = {"sigmoid": _sigmoid_backward, "dspike": _dspike_backward}


class SurrogateSpike(torch.autograd.Function):
    """Heaviside step forward; the named surrogate's derivative at x backward.

    ``fired`` is the precomputed boolean x >= 0, so the LIF compares only once per step.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, fired: torch.Tensor, surrogate: str,
                sharpness: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.surrogate, ctx.sharpness = surrogate, sharpness
        return fired.to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        grad, factor = SURROGATE_BACKWARDS[ctx.surrogate](grad_output, x, 0.0, ctx.sharpness)
        return grad.mul_(factor), None, None, None


def spike(x: torch.Tensor, alpha: float = 4.0, surrogate: str = "sigmoid") -> torch.Tensor:
    """Fire where x >= 0, with the named surrogate gradient of sharpness ``alpha``."""
    return SurrogateSpike.apply(x, x >= 0, surrogate, alpha)


class MultiStepLIF(torch.autograd.Function):
    """The LIF's training path: all T steps in one node, backpropagated through time by hand.

    The forward makes the same passes as :meth:`LIF._steps`; the backward walks the steps
    in reverse with the gradient of the membrane V, so autograd records no per-step graph
    and every step's gradient costs a handful of passes instead of a dozen. With the
    derivatives dH/dV = 1 - 1/tau and dH/dX = 1/tau (``decay_input``) or 1, and
    S = Theta(H - V_th) with surrogate derivative g:
    dL/dH[t] = dL/dS[t] g + dL/dV[t] dV[t]/dH[t], where dV/dH is (1 - S) with the reset
    detached and (1 - S) + (V_reset - H) g without.
    Input: the shifted input of :meth:`LIF._steps` (V_reset already added).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, lif: "LIF") -> torch.Tensor:
        charges, fired = lif.charge_all(x)
        ctx.save_for_backward(charges, fired)
        ctx.lif = lif
        return fired.to(x.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_spikes: torch.Tensor):
        charges, fired = ctx.saved_tensors
        lif = ctx.lif
        surrogate_backward = SURROGATE_BACKWARDS[lif.surrogate]
        grad_x = torch.empty_like(charges)  # holds dL/dH / factor until the end
        decay = 1.0 - 1.0 / lif.tau
        factor = 1.0
        steps = charges.shape[0]
        for t in reversed(range(steps)):
            h, grad_s = charges[t], grad_spikes[t]
            if t + 1 == steps:
                grad_x[t], factor = surrogate_backward(grad_s, h, lif.v_threshold, lif.alpha)
                continue
            grad_next = grad_x[t + 1]  # dL/dV[t] = decay factor grad_next
            if not lif.detach_reset:  # V[t] also depends on S[t]: dV/dS = V_reset - H
                grad_s = torch.addcmul(grad_s, grad_next, lif.v_reset - h, value=decay * factor)
            grad_h, _ = surrogate_backward(grad_s, h, lif.v_threshold, lif.alpha)
            torch.add(grad_h, torch.where(fired[t], 0.0, grad_next), alpha=decay,
                      out=grad_x[t])
        input_gain = 1.0 / lif.tau if lif.decay_input else 1.0
        return grad_x.mul_(factor * input_gain), None


class LIF(nn.Module):
    """Multi-step leaky integrate-and-fire layer over inputs shaped [T, ...].

    ``v_threshold`` is 1.0 for ordinary neurons and 0.5 for attention-map neurons.
    Activations are large and the update is memory-bound, so each step makes four passes
    over the tensor: charge (one lerp or add), compare, cast, reset (one masked fill).
    """

    def __init__(self, tau: float = 2.0, v_threshold: float = 1.0, v_reset: float = 0.0,
                 alpha: float = 4.0, decay_input: bool = True, surrogate: str = "sigmoid",
                 detach_reset: bool = True):
        super().__init__()
        self.tau = tau
        self.v_threshold = v_threshold
        self.v_reset = v_reset
        self.alpha = alpha
        self.decay_input = decay_input
        self.surrogate = surrogate
        self.detach_reset = detach_reset

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return MultiStepLIF.apply(self._shifted(x), self)
        out = torch.empty_like(x)  # inference: cast each step straight into the output
        for t, (s, _) in enumerate(self._steps(x, cast=False)):
            out[t] = s
        return out

    def simulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Spikes S and charged membrane H (before the reset), both shaped like x."""
        spikes, charges = zip(*self._steps(x), strict=True)
        return torch.stack(spikes), torch.stack(charges)

    def _charge(self, v: torch.Tensor, x_t: torch.Tensor, out=None) -> torch.Tensor:
        """H from V and the shifted input of :meth:`_steps`."""
        if self.decay_input:  # V + (X + V_reset - V) / tau
            return torch.lerp(v, x_t, 1.0 / self.tau, out=out)
        # X + V_reset/tau + V (1 - 1/tau)
        return torch.add(x_t, v, alpha=1.0 - 1.0 / self.tau, out=out)

    def _shifted(self, x: torch.Tensor) -> torch.Tensor:
        """The input with the reset potential folded in, as :meth:`_charge` takes it."""
        if not self.v_reset:
            return x
        return x + (self.v_reset if self.decay_input else self.v_reset / self.tau)

    def _steps(self, x: torch.Tensor, cast: bool = True):
        """Yield (spikes, charge) per step; spikes stay boolean when ``cast`` is False."""
        x = self._shifted(x)
        v = torch.full_like(x[0], self.v_reset)
        for x_t in x:
            h = self._charge(v, x_t)
            fired = h >= self.v_threshold
            if torch.is_grad_enabled() and h.requires_grad:
                s = SurrogateSpike.apply(h - self.v_threshold, fired, self.surrogate,
                                         self.alpha)
            else:
                s = fired.to(h.dtype) if cast else fired
            if self.detach_reset or not s.requires_grad:
                v = h.masked_fill(fired, self.v_reset)  # the mask carries no gradient
            else:  # the reset passes the surrogate gradient on (STMixer)
                v = h * (1 - s) + self.v_reset * s
            yield s, h

    def charge_all(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """H at every step and the boolean H >= V_th of the shifted input, without a graph."""
        charges = torch.empty_like(x)
        fired = torch.empty(x.shape, dtype=torch.bool, device=x.device)
        v = torch.full_like(x[0], self.v_reset)
        for t, x_t in enumerate(x):
            h = self._charge(v, x_t, out=charges[t])
            torch.ge(h, self.v_threshold, out=fired[t])
            v = torch.where(fired[t], self.v_reset, h)
        return charges, fired

    def extra_repr(self) -> str:
        return (f"tau={self.tau}, v_threshold={self.v_threshold}, v_reset={self.v_reset}, "
                f"decay_input={self.decay_input}, surrogate={self.surrogate}, "
                f"alpha={self.alpha}, detach_reset={self.detach_reset}")
