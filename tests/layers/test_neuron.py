"""The LIF neuron against a hand-computed sequence, and its sigmoid surrogate gradient."""

import math

import pytest
import torch

from autost.layers.neuron import LIF, spike

# tau = 2, V_th = 1, V_reset = 0: H[t] = V[t-1] + (X[t] - V[t-1]) / 2, hard reset to 0.
X = [1.5, 0.5, 2.5, 0.2, 3.0, 2.0]
H = [0.75, 0.625, 1.5625, 0.1, 1.55, 1.0]  # t=2 and t=4 fire and reset; t=5 fires at H = V_th
S = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0]


def test_lif_spikes_and_membrane_follow_the_hand_computed_sequence():
    x = torch.tensor(X).reshape(6, 1)
    spikes, charge = LIF().simulate(x)
    assert spikes.flatten().tolist() == S
    assert charge.flatten().tolist() == pytest.approx(H)
    assert LIF()(x).flatten().tolist() == S


def test_attention_threshold_fires_at_half():
    x = torch.tensor([1.0, 0.0]).reshape(2, 1)  # H = 0.5, then 0.25 after the reset
    assert LIF(v_threshold=0.5)(x).flatten().tolist() == [1.0, 0.0]
    assert LIF()(x).flatten().tolist() == [0.0, 0.0]


def test_state_does_not_leak_between_calls():
    lif = LIF()
    x = torch.rand(4, 3, 5) * 3
    assert torch.equal(lif(x), lif(x))


def test_batch_elements_are_independent():
    x = torch.tensor(X).reshape(6, 1).repeat(1, 3)
    x[:, 1] = 0.0
    out = LIF()(x)
    assert out[:, 0].tolist() == S and out[:, 1].sum() == 0


def _sigmoid_derivative(alpha: float, u: float) -> float:
    s = 1 / (1 + math.exp(-alpha * u))
    return alpha * s * (1 - s)


@pytest.mark.parametrize("u", [-0.3, 0.0, 0.4])
def test_surrogate_gradient_is_the_sigmoid_derivative(u):
    x = torch.tensor([u], requires_grad=True)
    spike(x, alpha=4.0).sum().backward()
    assert x.grad.item() == pytest.approx(_sigmoid_derivative(4.0, u))


def test_lif_gradient_is_taken_at_h_minus_threshold():
    # One step: H = X / tau, so dS/dX = sigma'(H - V_th) / tau.
    x = torch.tensor([[1.2]], requires_grad=True)
    LIF(tau=2.0, v_threshold=1.0, alpha=4.0)(x).sum().backward()
    assert x.grad.item() == pytest.approx(_sigmoid_derivative(4.0, 0.6 - 1.0) / 2)


def test_reset_is_detached_from_the_graph():
    # With the reset detached, dS[1]/dX[0] flows only through H[0] (1 - S[0]) with S[0]
    # treated as a constant, so a firing first step blocks the gradient path entirely.
    x = torch.tensor([[2.4], [1.0]], requires_grad=True)  # H[0] = 1.2 fires, V[0] = 0
    LIF()(x)[1].sum().backward()
    assert x.grad[0].item() == 0.0
    assert x.grad[1].item() == pytest.approx(_sigmoid_derivative(4.0, 0.5 - 1.0) / 2)
