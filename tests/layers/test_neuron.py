"""The LIF neuron's two charge rules against hand-computed sequences, its two surrogate
gradients against hand values, and the detached and attached reset."""

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


# STMixer's neuron, decay_input=False at tau = 2: H[t] = V[t-1] / 2 + X[t], hard reset to 0.
# The same input through Spikformer's rule (H = V + (X - V) / 2) fires once.
X_MIX = [0.5, 0.75, 1.5, 0.25, 0.875, 0.5]
H_STMIXER = [0.5, 1.0, 1.5, 0.25, 1.0, 0.5]
S_STMIXER = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
H_SPIKFORMER = [0.25, 0.5, 1.0, 0.125, 0.5, 0.5]
S_SPIKFORMER = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]


def test_stmixer_charge_adds_the_whole_input_to_the_halved_membrane():
    x = torch.tensor(X_MIX).reshape(6, 1)
    spikes, charge = LIF(decay_input=False).simulate(x)
    assert charge.flatten().tolist() == H_STMIXER
    assert spikes.flatten().tolist() == S_STMIXER
    assert LIF(decay_input=False)(x).flatten().tolist() == S_STMIXER


def test_spikformer_charge_halves_the_input_on_the_same_sequence():
    spikes, charge = LIF().simulate(torch.tensor(X_MIX).reshape(6, 1))
    assert charge.flatten().tolist() == H_SPIKFORMER
    assert spikes.flatten().tolist() == S_SPIKFORMER


def test_reset_potential_shifts_both_charge_rules():
    # V_reset = 0.25, tau = 2, both start from V = V_reset and neither fires.
    # decay_input: H = V + (X - (V - 0.25)) / 2; otherwise H = V - (V - 0.25) / 2 + X.
    x = torch.tensor([0.5, 0.25]).reshape(2, 1)
    _, h_decay = LIF(v_reset=0.25).simulate(x)
    _, h_plain = LIF(v_reset=0.25, decay_input=False).simulate(x)
    assert h_decay.flatten().tolist() == [0.5, 0.5]  # 0.25 + 0.5 / 2; 0.5 + 0 / 2
    assert h_plain.flatten().tolist() == [0.75, 0.75]  # 0.25 + 0.5; 0.75 - 0.25 + 0.25


# Dspike (gamma 2.5, region 1): gamma (1 - tanh^2(gamma u)) / (2 tanh gamma) for |u| <= 1.
@pytest.mark.parametrize(("u", "grad"), [
    (0.0, 1.2669591372657605), (0.4, 0.5320903295250623), (-0.4, 0.5320903295250623),
    (1.0, 0.03369126457647259), (-1.2, 0.0), (1.5, 0.0),
])
def test_dspike_surrogate_matches_hand_values(u, grad):
    x = torch.tensor([u], dtype=torch.float64, requires_grad=True)
    spike(x, alpha=2.5, surrogate="dspike").sum().backward()
    assert x.grad.item() == pytest.approx(grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("u", "grad"), [(0.0, 1.0), (0.5, 0.41997434161402647)])
def test_sigmoid_surrogate_matches_hand_values(u, grad):
    # alpha s (1 - s) with s = sigmoid(4u): 4 / 4 = 1 at u = 0; 4 e^-2 / (1 + e^-2)^2 at 0.5
    x = torch.tensor([u], dtype=torch.float64, requires_grad=True)
    spike(x, alpha=4.0).sum().backward()
    assert x.grad.item() == pytest.approx(grad, rel=1e-12)


def _stmixer_lif() -> LIF:
    return LIF(decay_input=False, surrogate="dspike", alpha=2.5, detach_reset=False)


def test_attached_reset_passes_the_gradient_of_the_first_spike_on():
    # H[0] = 1.2 fires; V[0] = H[0] (1 - S[0]) = 0; H[1] = V[0] / 2 + 0.4 = 0.4.
    # dS[1]/dX[0] = g(H[1] - 1) * 1/2 * dV[0]/dX[0], dV[0]/dX[0] = (1 - S[0]) - H[0] g(0.2)
    # = -1.2 g(0.2): g(-0.6) = 0.2289479..., the product -0.1368738...
    x = torch.tensor([[1.2], [0.4]], dtype=torch.float64, requires_grad=True)
    _stmixer_lif()(x)[1].sum().backward()
    assert x.grad[0].item() == pytest.approx(-0.13687383618513754, rel=1e-12)
    assert x.grad[1].item() == pytest.approx(0.2289479273489011, rel=1e-12)


def test_detached_reset_blocks_that_path_with_the_same_charge_rule():
    x = torch.tensor([[1.2], [0.4]], dtype=torch.float64, requires_grad=True)
    LIF(decay_input=False, surrogate="dspike", alpha=2.5)(x)[1].sum().backward()
    assert x.grad[0].item() == 0.0
    assert x.grad[1].item() == pytest.approx(0.2289479273489011, rel=1e-12)


def test_attached_reset_leaves_the_spikes_unchanged():
    x = torch.tensor(X_MIX).reshape(6, 1).requires_grad_()
    assert _stmixer_lif()(x).flatten().tolist() == S_STMIXER


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("decay_input", "surrogate", "detach_reset", "v_reset"), [
    (True, "sigmoid", True, 0.0), (True, "sigmoid", True, 0.3), (True, "dspike", False, 0.0),
    (False, "dspike", False, 0.0), (False, "sigmoid", True, -0.2), (False, "dspike", False, 0.3),
])
def test_training_path_matches_autograd_through_every_step(decay_input, surrogate,
                                                            detach_reset, v_reset, dtype):
    # The hand-written backpropagation through time of the training path (MultiStepLIF)
    # against autograd through the step-by-step graph of simulate(), on inputs that fire.
    lif = LIF(decay_input=decay_input, surrogate=surrogate, detach_reset=detach_reset,
              v_reset=v_reset, alpha=4.0 if surrogate == "sigmoid" else 2.5)
    generator = torch.Generator().manual_seed(0)
    x = (torch.rand(4, 3, 50, generator=generator, dtype=dtype) * 3 - 0.5).requires_grad_()
    upstream = torch.randn(4, 3, 50, generator=generator, dtype=dtype)
    fused = lif(x)
    (fused_grad,) = torch.autograd.grad(fused, x, upstream)
    stepwise = lif.simulate(x)[0]
    (stepwise_grad,) = torch.autograd.grad(stepwise, x, upstream)
    assert 0.1 < fused.mean() < 0.9
    assert torch.equal(fused, stepwise)
    tolerance = 1e-6 if dtype == torch.float32 else 1e-14
    torch.testing.assert_close(fused_grad, stepwise_grad, rtol=tolerance, atol=tolerance)
    assert fused_grad.abs().max() > 0.1
