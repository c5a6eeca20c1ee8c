"""SynFlow, SNIP, GradNorm and ZiCo on a two-weight spiking network, against values worked
out by hand through the LIF's charge, reset and sigmoid surrogate gradient."""

import math

import pytest
import torch
from torch import nn

from autost.layers.neuron import LIF
from autost.proxies.gradients import (
    batch_statistics,
    grad_norm_score,
    mean_gradients,
    minibatch_gradients,
    scored_weights,
    snip_score,
    synflow_score,
    zico_score,
)


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def surrogate(h: float) -> float:
    """dS/dH of the LIF (threshold 1, alpha 4): 4 sigmoid(4 (h - 1)) (1 - sigmoid(...))."""
    s = sig(4 * (h - 1))
    return 4 * s * (1 - s)


class TwoLayer(nn.Module):
    """x [B, 1] -> repeat T = 2 -> fc1 (weight a) -> LIF -> fc2 (weights w) -> mean over T."""

    def __init__(self, a: float, w: tuple[float, float]):
        super().__init__()
        self.fc1 = nn.Linear(1, 1, bias=False)
        self.lif = LIF()
        self.fc2 = nn.Linear(1, 2, bias=False)
        with torch.no_grad():
            self.fc1.weight.fill_(a)
            self.fc2.weight.copy_(torch.tensor([[w[0]], [w[1]]]))

    def forward(self, x):
        x = x.unsqueeze(0).repeat(2, 1, 1)
        return self.fc2(self.lif(self.fc1(x))).mean(0)


# a = 3, w = (1, -1). Sample 1: x = 1, label 0. Charge h1 = 3/2 fires, resets to 0,
# h2 = 3/2 fires: mean spike 1, logits (1, -1), dL/dlogits = (-sig(-2), sig(-2)).
# dL/dw = that x 1; dL/ds_t = (dL/dlogits . w) / 2 = -sig(-2); dh_t/da = x/2 = 1/2 (the
# reset cuts h1 out of h2). Sample 2: x = 1/2, label 1. h1 = 3/4 is silent and carries
# over, h2 = 3/4 + (3/2 - 3/4)/2 = 9/8 fires: mean spike 1/2, logits (1/2, -1/2),
# dL/dlogits = (sig(1), -sig(1)); dL/ds_t = sig(1); dh1/da = 1/4, dh2/da = dh1/da / 2 + 1/4.
G1_A = 2 * -sig(-2) * surrogate(1.5) * 0.5
G1_W = (-sig(-2), sig(-2))
G2_A = sig(1) * (surrogate(0.75) * 0.25 + surrogate(1.125) * 0.375)
G2_W = (sig(1) / 2, -sig(1) / 2)
IMAGES = torch.tensor([[1.0], [0.5]], dtype=torch.float64)
LABELS = torch.tensor([0, 1])


@pytest.fixture
def net():
    return TwoLayer(3.0, (1.0, -1.0)).double()  # float64: exact to 1e-12


def test_minibatch_gradients_by_hand(net):
    grads = minibatch_gradients(net, IMAGES, LABELS, splits=2)
    got = [float(g[0].item()) for g in grads] + [w for g in grads for w in g[1].flatten()]
    assert got == pytest.approx([G1_A, G2_A, *G1_W, *G2_W], abs=1e-12)
    assert scored_weights(net) == [net.fc1.weight, net.fc2.weight]


def test_snip_and_grad_norm_by_hand(net):
    mean = mean_gradients(minibatch_gradients(net, IMAGES, LABELS, splits=2))
    m_a = (G1_A + G2_A) / 2
    m_w = [(g1 + g2) / 2 for g1, g2 in zip(G1_W, G2_W, strict=True)]
    snip = abs(3 * m_a) + abs(1 * m_w[0]) + abs(-1 * m_w[1])
    assert snip_score(scored_weights(net), mean) == pytest.approx(snip, abs=1e-12)
    assert grad_norm_score(mean) == pytest.approx(abs(m_a) + math.hypot(*m_w), abs=1e-12)


def test_zico_by_hand(net):
    # Two mini-batches: mean |g| = (|g1| + |g2|) / 2, population std = |g1 - g2| / 2.
    def ratio(g1, g2):
        return (abs(g1) + abs(g2)) / abs(g1 - g2)

    fc2 = sum(ratio(g1, g2) for g1, g2 in zip(G1_W, G2_W, strict=True))
    expected = math.log(ratio(G1_A, G2_A)) + math.log(fc2)
    grads = minibatch_gradients(net, IMAGES, LABELS, splits=2)
    assert zico_score(grads) == pytest.approx(expected, abs=1e-12)


def test_zico_leaves_out_weights_and_layers_whose_gradient_does_not_vary():
    same = [torch.tensor([2.0, -1.0]), torch.tensor([5.0])]
    other = [torch.tensor([2.0, 3.0]), torch.tensor([5.0])]
    # layer 1: first weight constant (left out), second: (1 + 3) / 2 / 2 = 1; layer 2 left out
    assert zico_score([same, other]) == 0.0
    assert zico_score([same, same]) == float("-inf")


def test_synflow_by_hand(net):
    # |a| = 3, |w| = (1, 1), all-ones input: h_t = 3/2 fires at both steps, R = 1 + 1.
    # dR/dw = 1 each; dR/ds_t = (1 + 1) / 2; dR/da = 2 * 1 * surrogate(3/2) * 1/2.
    expected = math.log(2 * 1 + 3 * (2 * surrogate(1.5) * 0.5))
    assert synflow_score(net, (1,)) == pytest.approx(expected, abs=1e-12)
    assert net.fc2.weight[1, 0].item() == -1.0  # the scored copy had |w|, not the model


def test_synflow_of_a_silent_network_and_of_a_zero_weight_network():
    # a = 1: h1 = 1/2, h2 = 1/2 + (1 - 1/2)/2 = 3/4, silent. dR/dw = mean spike = 0, but
    # the surrogate still reaches fc1: dR/ds_t = (1 + 1) / 2, dh1/da = 1/2, dh2/da = 3/4.
    net = TwoLayer(1.0, (1.0, 1.0))
    expected = math.log(1 * (surrogate(0.5) * 0.5 + surrogate(0.75) * 0.75))
    assert synflow_score(net, (1,)) == pytest.approx(expected, abs=1e-12)
    zero = TwoLayer(0.0, (1.0, 1.0))
    assert synflow_score(zero, (1,)) == float("-inf")


def test_batch_statistics_normalizes_by_the_batch_and_restores_the_model():
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.BatchNorm1d(1))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
    model.train()
    model[0].train(False)
    with batch_statistics(model) as m:
        out = m(torch.tensor([[1.0], [3.0]]))
        assert m[1].training and not m.training
    # batch mean 2, biased variance 1
    assert out.flatten().tolist() == pytest.approx([-1 / math.sqrt(1 + 1e-5),
                                                    1 / math.sqrt(1 + 1e-5)])
    assert model[1].running_mean.item() == 0.0 and model[1].running_var.item() == 1.0
    assert model[1].num_batches_tracked.item() == 0
    assert model.training and model[1].training and not model[0].training
