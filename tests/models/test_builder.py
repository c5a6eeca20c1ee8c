"""The builder: meta-device builds, input layouts, errors, training a mixed-mixer model."""

import pytest
import torch

from autost.arch import TOKEN_MIXERS, ArchConfig, BlockConfig
from autost.exceptions import DatasetError, UnknownNameError
from autost.layers import IPSPS, SPS, RandomSpikeMask, SpedsStem
from autost.models import count_params, create_model


def _mixed_config(**changes) -> ArchConfig:
    """One block per token mixer, channel mixers alternating mlp and emsp."""
    blocks = tuple(
        BlockConfig(mixer, "emsp" if i % 2 else "mlp", heads=4, mlp_ratio=2.0,
                    token_experts=4 if mixer == "emsa" else None,
                    channel_experts=2 if i % 2 else None)
        for i, mixer in enumerate(TOKEN_MIXERS)
    )
    settings = {"embed_dim": 32, "input_size": 16, "timesteps": 2, **changes}
    return ArchConfig(blocks=blocks, **settings)


def test_meta_device_build_allocates_nothing():
    with torch.device("meta"):
        model = create_model("spikformer-8-768")
    assert all(p.is_meta for p in model.parameters())
    assert all(b.is_meta for b in model.buffers())


def test_preset_name_and_config_build_the_same_model():
    with torch.device("meta"):
        by_name = create_model("qkformer-hst-4-384")
    assert by_name.config.name == "qkformer-hst-4-384"
    assert count_params(by_name) == count_params(by_name.config) == 6_706_234


def test_unknown_preset_is_an_unknown_name_error():
    with pytest.raises(UnknownNameError, match="unknown preset 'spikformer-4-385'; did you mean"):
        create_model("spikformer-4-385")


def test_static_and_event_inputs_give_the_same_logits():
    torch.manual_seed(0)
    model = create_model(_mixed_config()).eval()
    image = torch.rand(3, 3, 16, 16)
    logits = model(image)
    assert logits.shape == (3, 10)
    assert torch.allclose(logits, model(image.unsqueeze(0).repeat(2, 1, 1, 1, 1)))


@pytest.mark.parametrize("shape", [(3, 1, 16, 16), (3, 3, 32, 32), (4, 3, 3, 16, 16), (3, 16, 16)])
def test_wrong_input_shape_names_the_expected_one(shape):
    model = create_model(_mixed_config())
    with pytest.raises(DatasetError, match=r"expected \[B, 3, 16, 16\] or \[2, B, 3, 16, 16\]"):
        model(torch.rand(*shape))


def test_encoding_layers_are_the_splitters_image_convs():
    for splitter, cls in (("sps", SPS), ("ipsps", IPSPS)):
        model = create_model(_mixed_config(patch_splitter=splitter))
        assert isinstance(model.patch_embed, cls)
        assert model.encoding_layers() == model.patch_embed.encoding_layers()
    cfg = _mixed_config(patch_splitter="speds", stage_depths=(2, 2, 3), embed_dim=64)
    model = create_model(cfg)
    assert isinstance(model.patch_embed, SpedsStem)
    assert list(model.downsamples) == ["2", "4"]
    assert model.encoding_layers()[0] is model.patch_embed.convs[0].conv


@pytest.mark.parametrize("residual", ["sew", "ms"])
def test_mixed_model_trains_one_step(residual):
    """One SGD step on one batch lowers its loss and moves every mixer, splitter and head."""
    torch.manual_seed(0)
    model = create_model(_mixed_config(residual=residual))
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    images, labels = torch.rand(8, 3, 16, 16), torch.arange(8) % 10
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    optimizer.step()
    moved = [name for name, p in model.named_parameters() if not torch.equal(before[name], p)]
    parts = {"patch_embed.convs", "head"} | {
        f"blocks.{i}.{mixer}" for i in range(len(model.blocks))
        for mixer in ("token_mixer", "channel_mixer")}
    assert all(any(m.startswith(part) for m in moved) for part in parts)
    with torch.no_grad():
        after = torch.nn.functional.cross_entropy(model(images), labels)
    assert after < loss


def test_mask_seed_reproduces_and_changes_the_masks():
    cfg = _mixed_config(mask_ratio=0.5)
    image = torch.rand(2, 3, 16, 16)

    def logits(seed: int) -> torch.Tensor:
        torch.manual_seed(0)
        return create_model(cfg, mask_seed=seed)(image)

    assert torch.equal(logits(1), logits(1))
    assert not torch.equal(logits(1), logits(2))
    model = create_model(cfg)
    seeds = [m.seed for m in model.modules() if isinstance(m, RandomSpikeMask)]
    assert len(seeds) == len(set(seeds)) > len(cfg.blocks)
    assert count_params(model) == count_params(_mixed_config())
