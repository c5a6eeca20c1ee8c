"""LinearBN normalizes the Linear's output in its own contiguous layout, with the numbers of
the transposed layout it replaced (BatchNorm1d on the [T*B, C, N] view); its Linear
(TokenLinear, a 1x1 convolution on a CPU) gives F.linear's numbers; a model trains as with
all three of the code paths these replaced."""

import pytest
import torch
from torch import nn

from autost.layers.linear_bn import LinearBN, TokenBatchNorm, TokenLinear
from autost.layers.neuron import LIF
from autost.models import create_model, get_preset


def _transposed_bn(bn: TokenBatchNorm, y: torch.Tensor) -> torch.Tensor:
    """autost's LinearBN before the change: BatchNorm1d on the [T*B, C, N] view of the
    Linear's [T*B, N, C] output (BatchNorm1d.forward, which also counts the batches)."""
    return nn.BatchNorm1d.forward(bn, y.transpose(1, 2)).transpose(1, 2)


def _transposed_layout(unit: LinearBN, x: torch.Tensor) -> torch.Tensor:
    t, b, n, _ = x.shape
    return _transposed_bn(unit.bn, unit.linear(x.flatten(0, 1))).reshape(t, b, n, -1)


def _grads(unit: LinearBN, forward, x: torch.Tensor, g: torch.Tensor):
    unit.zero_grad()
    x = x.clone().requires_grad_()
    y = forward(x)
    y.backward(g)
    return y.detach(), x.grad, [p.grad.clone() for p in unit.parameters()]


@pytest.mark.parametrize("training", [True, False])
def test_outputs_and_gradients_match_the_transposed_layout(training):
    torch.manual_seed(0)
    unit = LinearBN(24, 40, bias=True).double().train(training)
    with torch.no_grad():
        unit.bn.weight.uniform_(0.5, 1.5)
        unit.bn.bias.uniform_(-0.5, 0.5)
        unit.bn.running_mean.uniform_(-0.2, 0.2)
        unit.bn.running_var.uniform_(0.5, 2.0)
    x = (torch.rand(4, 3, 49, 24) < 0.3).double()
    g = torch.randn(4, 3, 49, 40, dtype=torch.float64)
    before = {k: v.clone() for k, v in unit.bn.state_dict().items()}
    y_new, gx_new, gp_new = _grads(unit, unit, x, g)
    after_new = {k: v.clone() for k, v in unit.bn.state_dict().items()}
    unit.bn.load_state_dict(before)
    y_old, gx_old, gp_old = _grads(unit, lambda v: _transposed_layout(unit, v), x, g)
    # float64, so only the summation order differs (the Linear's bias gradient is ~0 in
    # training mode, where BatchNorm removes every channel's mean)
    torch.testing.assert_close(y_new, y_old, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(gx_new, gx_old, rtol=1e-12, atol=1e-12)
    for new, old in zip(gp_new, gp_old, strict=True):
        torch.testing.assert_close(new, old, rtol=1e-12, atol=1e-12)
    for key, value in unit.bn.state_dict().items():  # the statistics are updated alike
        torch.testing.assert_close(after_new[key], value)


def test_the_normalized_tensor_is_contiguous_in_forward_and_backward():
    seen = []
    unit = LinearBN(8, 16, bias=False)
    unit.bn.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    unit.bn.register_full_backward_hook(lambda m, gi, go: seen.append(go[0]))
    x = torch.rand(2, 3, 5, 8, requires_grad=True)
    y = unit(x)
    y.backward(torch.randn_like(y))
    assert [t.is_contiguous() for t in seen] == [True, True]


def test_state_dict_keys_are_those_of_batchnorm1d():
    assert list(TokenBatchNorm(6).state_dict()) == list(nn.BatchNorm1d(6).state_dict())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("contiguous", [True, False])
def test_token_linear_gives_the_numbers_of_f_linear(dtype, contiguous):
    torch.manual_seed(0)
    linear = TokenLinear(24, 40).to(dtype)
    x = torch.randn(6, 40, 24, dtype=dtype)  # a non-contiguous input: to_tokens' view
    x = (x if contiguous else x.transpose(1, 2).contiguous().transpose(1, 2)).requires_grad_()
    g = torch.randn(6, 40, 40, dtype=dtype)
    y_new = linear(x)
    grads_new = torch.autograd.grad(y_new, (x, *linear.parameters()), g)
    y_old = nn.functional.linear(x, linear.weight, linear.bias)
    grads_old = torch.autograd.grad(y_old, (x, *linear.parameters()), g)
    assert y_new.shape == (6, 40, 40) and y_new.is_contiguous()
    tolerance = 1e-4 if dtype == torch.float32 else 1e-12  # the summation order differs
    torch.testing.assert_close(y_new, y_old, rtol=1e-5, atol=tolerance)
    for new, old in zip(grads_new, grads_old, strict=True):
        torch.testing.assert_close(new, old, rtol=1e-5, atol=tolerance)


def _code_before_the_speed_ups(model: nn.Module) -> None:
    """BatchNorm1d on the transposed view, F.linear, and autograd through every LIF step."""
    kinds = {TokenBatchNorm: _transposed_bn, TokenLinear: nn.Linear.forward,
             LIF: lambda m, x: m.simulate(x)[0]}
    for module in model.modules():
        forward = kinds.get(type(module))
        if forward is not None:
            module.forward = lambda y, m=module, f=forward: f(m, y)


def test_a_model_trains_to_the_same_loss_and_gradients_as_before():
    """One training step of a narrow QKFormer HST-4 (QKTA, SSA and MLP units, SPEDS LIFs)
    on a fixed seed: the loss and the gradient of every parameter as with the code the
    speed-ups replaced (in float64, where the changed summation order flips no spike)."""
    cfg = get_preset("qkformer-hst-4-384").replace(embed_dim=64)

    def step(before: bool):
        torch.manual_seed(0)
        model = create_model(cfg).double()
        if before:  # 22 LinearBN: 3 per QKTA block (2), 4 per SSA block (2), 2 per MLP (4)
            assert sum(isinstance(m, TokenBatchNorm) for m in model.modules()) == 22
            _code_before_the_speed_ups(model)
        x = torch.rand(2, 3, 32, 32, dtype=torch.float64)
        loss = nn.functional.cross_entropy(model(x), torch.tensor([1, 7]))
        loss.backward()
        return loss.detach(), {n: p.grad for n, p in model.named_parameters()}

    loss_new, grads_new = step(False)
    loss_old, grads_old = step(True)
    torch.testing.assert_close(loss_new, loss_old, rtol=1e-12, atol=1e-12)
    assert grads_new.keys() == grads_old.keys()
    for name in grads_new:
        torch.testing.assert_close(grads_new[name], grads_old[name], rtol=1e-9, atol=1e-12,
                                   msg=lambda m, n=name: f"{n}: {m}")
