"""Every registered token and channel mixer builds, runs forward and backward, and keeps shapes."""

import pytest
import torch
from torch import nn

from autost.arch import CHANNEL_MIXERS, TOKEN_MIXERS, ArchConfig, BlockConfig
from autost.exceptions import UnknownNameError
from autost.layers import (
    CHANNEL_MIXER_REGISTRY,
    TOKEN_MIXER_REGISTRY,
    LayerFactory,
    RandomSpikeMask,
    lookup,
)
from autost.layers.ops import ElementwiseMul, SpikeMatMul

DIM, TOKENS, T, B = 32, 16, 2, 3


def _block(token_mixer="ssa", channel_mixer="mlp") -> BlockConfig:
    return BlockConfig(
        token_mixer, channel_mixer, heads=4, mlp_ratio=2.0,
        token_experts=4 if token_mixer == "emsa" else None,
        channel_experts=4 if channel_mixer == "emsp" else None,
    )


def _factory(block: BlockConfig, **changes) -> LayerFactory:
    cfg = ArchConfig(blocks=(block,), embed_dim=DIM, input_size=16, timesteps=T, **changes)
    return LayerFactory(cfg)


def _input() -> torch.Tensor:
    torch.manual_seed(0)
    return (torch.rand(T, B, TOKENS, DIM) < 0.3).float()


def test_registries_cover_the_arch_names():
    assert set(TOKEN_MIXER_REGISTRY) == set(TOKEN_MIXERS)
    assert set(CHANNEL_MIXER_REGISTRY) == set(CHANNEL_MIXERS)


def test_unknown_mixer_name_suggests_close_names():
    with pytest.raises(UnknownNameError, match=r"unknown token mixer 'sda'; did you mean"):
        lookup(TOKEN_MIXER_REGISTRY, "token mixer", "sda")


_REGISTRIES = {"token_mixer": TOKEN_MIXER_REGISTRY, "channel_mixer": CHANNEL_MIXER_REGISTRY}


@pytest.mark.parametrize(("role", "name"), [(role, name) for role, registry in _REGISTRIES.items()
                                            for name in sorted(registry)])
def test_mixer_forward_backward(role, name):
    block = _block(**{role: name})
    mixer = _REGISTRIES[role][name](DIM, TOKENS, block, _factory(block))
    x = _input().requires_grad_()
    y = mixer(x)
    assert y.shape == x.shape
    y.square().sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in mixer.parameters())


@pytest.mark.parametrize("name", sorted(TOKEN_MIXER_REGISTRY))
def test_mixers_end_in_batchnorm(name):
    """A core ends in BN; the block, not the mixer, adds the residual neuron."""
    block = _block(token_mixer=name)
    mixer = TOKEN_MIXER_REGISTRY[name](DIM, TOKENS, block, _factory(block))
    leaves = [m for m in mixer.modules() if not list(m.children())]
    calls = []
    for leaf in leaves:
        leaf.register_forward_hook(lambda m, i, o: calls.append(m))
    mixer(_input())
    assert isinstance(calls[-1], nn.BatchNorm1d)
    called = [m for m in leaves if m in calls]
    assert called == list(dict.fromkeys(calls)), "modules are declared in call order"


@pytest.mark.parametrize("name", ["ssa", "emsa"])
def test_attention_order_changes_macs_not_outputs(name):
    block = _block(token_mixer=name)
    qk_v = TOKEN_MIXER_REGISTRY[name](DIM, TOKENS, block, _factory(block))
    q_kv = TOKEN_MIXER_REGISTRY[name](
        DIM, TOKENS, block, _factory(block, attention_order="q_kv"))
    q_kv.load_state_dict(qk_v.state_dict())
    x = _input()
    assert torch.allclose(qk_v(x), q_kv(x), atol=1e-5)


def test_ssa_products_follow_the_attention_order():
    shapes = {}
    block = _block()
    for order in ("qk_v", "q_kv"):
        mixer = TOKEN_MIXER_REGISTRY["ssa"](
            DIM, TOKENS, block, _factory(block, attention_order=order))
        mixer.first_matmul.register_forward_hook(
            lambda m, i, o, order=order: shapes.__setitem__(order, tuple(o.shape)))
        mixer(_input())
    d = DIM // 4
    assert shapes == {"qk_v": (T, B, 4, TOKENS, TOKENS), "q_kv": (T, B, 4, d, d)}


def test_attention_neurons_use_the_attention_threshold():
    block = _block()
    mixer = TOKEN_MIXER_REGISTRY["ssa"](DIM, TOKENS, block,
                                        _factory(block, attention_v_threshold=0.25))
    assert mixer.attn_lif.v_threshold == 0.25 and mixer.q.lif.v_threshold == 1.0


def test_biases_follow_qkv_bias_and_linear_bias():
    block = _block()
    make = _factory(block, qkv_bias=False, linear_bias=True)
    ssa = TOKEN_MIXER_REGISTRY["ssa"](DIM, TOKENS, block, make)
    assert ssa.q.linear.bias is None and ssa.proj.linear.bias is not None
    mlp = CHANNEL_MIXER_REGISTRY["mlp"](DIM, TOKENS, block, _factory(block, linear_bias=False))
    assert mlp.fc1.linear.bias is None and mlp.fc2.linear.bias is None


def test_emsp_equals_a_router_gated_sum_of_small_experts():
    block = _block(channel_mixer="emsp")
    emsp = CHANNEL_MIXER_REGISTRY["emsp"](DIM, TOKENS, block, _factory(block)).eval()
    x = _input()
    route = emsp.router(x)
    hidden = emsp.fc1(x)
    w, m, g = emsp.fc2.linear.weight, 4, 2 * DIM // 4
    total = sum(route[..., i:i + 1] * (hidden[..., i * g:(i + 1) * g] @ w[:, i * g:(i + 1) * g].T)
                for i in range(m))
    expected = emsp.fc2.bn(total + emsp.fc2.linear.bias)  # over the channels of each token
    assert torch.allclose(emsp(x), expected, atol=1e-5)


def test_token_mixers_make_every_activation_product_a_module():
    block = _block(token_mixer="emsa")
    emsa = TOKEN_MIXER_REGISTRY["emsa"](DIM, TOKENS, block, _factory(block))
    kinds = [type(m) for m in emsa.modules()]
    assert kinds.count(SpikeMatMul) == 2 and ElementwiseMul in kinds


@pytest.mark.parametrize("name", sorted(TOKEN_MIXER_REGISTRY) + sorted(CHANNEL_MIXER_REGISTRY))
def test_masks_appear_only_with_a_ratio_and_add_no_parameters(name):
    token = name in TOKEN_MIXER_REGISTRY
    block = _block(token_mixer=name) if token else _block(channel_mixer=name)
    cls = TOKEN_MIXER_REGISTRY[name] if token else CHANNEL_MIXER_REGISTRY[name]
    plain = cls(DIM, TOKENS, block, _factory(block))
    masked = cls(DIM, TOKENS, block, _factory(block, mask_ratio=0.5))
    assert not any(isinstance(m, RandomSpikeMask) for m in plain.modules())
    assert any(isinstance(m, RandomSpikeMask) for m in masked.modules())
    count = sum(p.numel() for p in plain.parameters())
    assert count == sum(p.numel() for p in masked.parameters())
