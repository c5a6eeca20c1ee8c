"""The rate pass: rates at initialization, BatchNorm left untouched, exact pair counts."""

import pytest
import torch
from torch import nn

from autost.cost import measure_rates
from autost.cost.rates import _nonzero_and_sum
from autost.data.datasets import calibration_batch
from autost.exceptions import CalibrationError
from autost.layers.neuron import LIF
from autost.layers.ops import Add, SpikeMatMul
from autost.models import create_model, get_preset


@pytest.fixture(scope="module")
def spikformer():
    """A fresh spikformer-4-384 (seed 0) and 2 digits images at its input size."""
    torch.manual_seed(0)
    cfg = get_preset("spikformer-4-384")
    return create_model(cfg), calibration_batch("digits", 32, 3, 2, 0)


def test_fresh_spikformer_fires_in_every_block(spikformer):
    model, batch = spikformer
    report = measure_rates(model, batch)
    for i in range(4):
        layers = {n: r for n, r in report.layers.items() if n.startswith(f"blocks.{i}.")}
        neurons = {n: r for n, r in report.neurons.items() if n.startswith(f"blocks.{i}.")}
        assert len(layers) == 8 and len(neurons) == 7
        assert all(r.rate > 0 and r.sop_rate > 0 for r in layers.values()), layers
        assert all(0 < rate < 1 for rate in neurons.values()), neurons
    assert report.flags == ()
    # after a SEW residual the stream holds spike sums: integers above 1
    q = report.layers["blocks.1.token_mixer.q.linear"]
    assert q.integer and q.mean > q.rate
    codes = report.codes["blocks.0.token_mixer.q.lif"]
    assert codes.shape == (4, 2, 64 * 384) and set(codes.unique().tolist()) == {0.0, 1.0}


@pytest.fixture
def small(shrink):
    """A fresh small spikformer (seed 0) and 4 digits images at its input size."""
    torch.manual_seed(0)
    cfg = shrink(get_preset("spikformer-4-384")).replace(input_size=16)
    return create_model(cfg), calibration_batch("digits", 16, 3, 4, 0)


def _silent(report) -> set[str]:
    return {f.split()[1] for f in report.flags if f.startswith("silent: ")}


def test_running_statistics_silence_a_fresh_model(small):
    """Why the init pass uses batch statistics (design.md 3): with BatchNorm in eval mode
    (running statistics 0 and 1) the neurons of every block are silent at initialization."""
    model, batch = small
    queries = {f"blocks.{i}.token_mixer.q.lif" for i in range(2)}
    assert not queries & _silent(measure_rates(model, batch))
    report = measure_rates(model, batch, batch_stats=False, keep_codes=False)
    assert report.codes == {}
    assert queries <= _silent(report)


@pytest.mark.parametrize("training", [False, True])
def test_rate_pass_leaves_parameters_buffers_and_modes_unchanged(training, shrink):
    torch.manual_seed(0)
    cfg = shrink(get_preset("qkformer-hst-4-384"))
    model = create_model(cfg).train(training)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    modes = [m.training for m in model.modules()]
    report = measure_rates(model, torch.randn(3, 3, cfg.input_size, cfg.input_size))
    assert report.layers and report.neurons
    after = model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before), [
        k for k in before if not torch.equal(before[k], after[k])]
    assert [m.training for m in model.modules()] == modes


def test_rate_pass_is_deterministic(small):
    model, batch = small
    a, b = measure_rates(model, batch), measure_rates(model, batch)
    assert a.layers == b.layers and a.neurons == b.neurons
    assert all(torch.equal(a.codes[n], b.codes[n]) for n in a.codes)


class _Attention(nn.Module):
    """a @ b on given spike tensors, and a Linear reading a sum of spikes."""

    def __init__(self):
        super().__init__()
        self.matmul = SpikeMatMul()
        self.add = Add()
        self.fc = nn.Linear(3, 2)
        self.lif = LIF()

    def forward(self, x):
        a, b = x[..., :3], x[..., 3:6].transpose(-1, -2)
        self.lif(x)
        return self.matmul(a, b), self.fc(self.add(a, a))


def test_spike_product_rate_counts_pairs_of_non_zero_operands():
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(2, 3, 5, 6, generator=g) < 0.4).float()  # [T, B, M = 5, 6]
    report = measure_rates(_Attention(), x)
    a, b = x[..., :3], x[..., 3:6].transpose(-1, -2)
    pairs = sum(int(a[t, n, i, k] != 0 and b[t, n, k, j] != 0)
                for t in range(2) for n in range(3) for i in range(5) for k in range(3)
                for j in range(5))
    mm = report.layers["matmul"]
    assert mm.sop_rate == pairs / (2 * 3 * 5 * 5 * 3)
    assert mm.rate == int((a != 0).sum()) / a.numel()
    fc = report.layers["fc"]
    assert fc.rate == mm.rate and fc.mean == pytest.approx(2 * mm.rate) and fc.integer
    assert report.neurons["lif"] == int(report.codes["lif"].sum()) / x.numel()


@pytest.mark.parametrize("values", [
    [0.0, 1.0, 1.0, 0.0],        # spikes: counted by the sum
    [0.0, 2.0, 1.0, 3.0],        # spike sums
    [0.0, 0.5, 0.25, 1.0],       # analog values in [0, 1]
    [-1.0, 1.0, 0.0, 0.0],       # sum 0
])
def test_non_zero_count_of_every_kind_of_input(values):
    x = torch.tensor(values).repeat(3, 5)
    for tensor in (x, x.t()):  # contiguous and not
        nonzero, total = _nonzero_and_sum(tensor)
        assert int(nonzero) == sum(v != 0 for v in values) * 15
        assert float(total) == sum(values) * 15


def test_silent_and_saturated_neurons_are_flagged():
    report = measure_rates(_Attention(), torch.zeros(2, 1, 5, 6))
    assert report.flags == ("silent: lif fired no spike on the calibration batch",)
    report = measure_rates(_Attention(), torch.full((2, 1, 5, 6), 9.0))
    assert report.flags == ("saturated: lif fired at every neuron and step",)


@pytest.mark.parametrize("shape, expected", [
    ((4, 3, 16, 16), r"\[4, 3, 16, 16\]; this model expects \[B, 3, 32, 32\] \(or \[4, B, 3, "
                     r"32, 32\]\)"),
    ((4, 1, 32, 32), r"expects \[B, 3, 32, 32\]"),
    ((2, 4, 3, 32, 32), r"expects \[B, 3, 32, 32\] \(or \[4, B, 3, 32, 32\]\)"),
    ((3, 32, 32), r"calibration batch is \[3, 32, 32\]; expected a float tensor"),
])
def test_wrong_shaped_calibration_batch_says_what_was_expected(spikformer, shape, expected):
    model, _ = spikformer
    with pytest.raises(CalibrationError, match=expected):
        measure_rates(model, torch.zeros(shape))


class _Normed(nn.Module):
    """BatchNorm over a [6, C, ...] batch (given as [1, 6, C, L] for BatchNorm1d), then a
    Linear, so the rate pass hooks see the normalized values."""

    def __init__(self, bn, features):
        super().__init__()
        self.bn, self.fc = bn, nn.Linear(features, 2)

    def forward(self, x):
        return self.fc(self.bn(x.flatten(0, 1) if isinstance(self.bn, nn.BatchNorm1d) else x))


@pytest.mark.parametrize("bn, shape", [(nn.BatchNorm2d(3), (6, 3, 5, 5)),
                                       (nn.BatchNorm1d(4), (1, 6, 4, 7))])
def test_batch_statistics_match_training_mode_batchnorm(bn, shape):
    torch.manual_seed(0)
    x = torch.randn(shape) * 3 + 1
    bn.weight.data.uniform_(0.5, 2)
    expected = bn.train()(x if isinstance(bn, nn.BatchNorm2d) else x.flatten(0, 1))
    model = _Normed(bn.eval(), shape[-1])
    seen = []
    model.fc.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    measure_rates(model, x)
    assert torch.allclose(seen[0], expected, atol=1e-5)
