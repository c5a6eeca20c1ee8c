"""Conformance of every shipped space: parses, samples valid and buildable CIFAR models."""

import json
import random
from importlib.resources import files

import optuna
import pytest

from autost.arch import ArchConfig
from autost.space import ALIASES, list_spaces, load_space

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACES = list_spaces()


def test_every_shipped_file_is_listed_with_aliases_and_the_required_names():
    shipped = {p.name.removesuffix(".toml") for p in files("autost.search_spaces").iterdir()
               if p.name.endswith(".toml")}
    assert set(SPACES) == shipped | set(ALIASES)
    assert {"stmixer", "spikformer", "qkformer", "semm", "autost", "autost-tiny",
            "autost-small", "autost-base", "mixed"} <= set(SPACES)


@pytest.mark.parametrize("name", SPACES)
def test_space_parses_with_its_file_name_on_cheap_cifar_shapes(name):
    space = load_space(name)
    assert space.name == ALIASES.get(name, name)
    assert space.description and space.label == f"search_spaces/{space.name}.toml"
    assert space.dataset["input_size"] == 32 and space.dataset["in_channels"] == 3
    assert space.num_parameters() > 0 and space.size() > 1
    json.dumps(space.describe())


@pytest.mark.parametrize("name", SPACES)
def test_sampled_configs_validate(name):
    space = load_space(name)
    rng = random.Random(0)
    configs = [space.sample(rng) for _ in range(300)]
    assert all(isinstance(c, ArchConfig) and c.input_size == 32 for c in configs)
    assert len({c.arch_id for c in configs}) > 1


@pytest.mark.parametrize("name", SPACES)
def test_optuna_trials_give_valid_configs(name):
    space = load_space(name)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, n_startup_trials=5))
    for _ in range(15):
        trial = study.ask()
        study.tell(trial, float(space.suggest(trial).embed_dim))
    assert len(study.trials) == 15


@pytest.mark.parametrize("name", SPACES)
def test_sampled_configs_build_on_the_meta_device(name):
    torch = pytest.importorskip("torch")
    from autost.models import create_model

    space, rng = load_space(name), random.Random(1)
    for _ in range(5):
        cfg = space.sample(rng)
        with torch.device("meta"):
            assert create_model(cfg).config == cfg


def _offered(space, key):
    table = {**space.stage_choices, **space.block_choices, **space.global_choices}
    return list(table[key].values)


def test_stmixer_space_mixes_conv_ssa_and_stm_on_stmixers_base():
    space = load_space("stmixer")
    assert _offered(space, "token_mixer") == ["conv", "ssa", "stm"]
    assert {k: space.fixed[k] for k in ("patch_splitter", "residual", "timesteps")} == {
        "patch_splitter": "ipsps", "residual": "ms", "timesteps": 1}


def test_qkformer_space_chooses_one_mixer_per_stage():
    space = load_space("qkformer")
    assert _offered(space, "token_mixer") == ["qk_token", "qk_channel", "ssa"]
    assert "token_mixer" in space.stage_choices and space.fixed["patch_splitter"] == "speds"


def test_semm_space_offers_the_papers_expert_counts_everywhere():
    space = load_space("semm")
    assert _offered(space, "token_experts") == _offered(space, "channel_experts") == [
        2, 4, 6, 8, 12]
    assert not space.contextual  # every count divides every width


@pytest.mark.parametrize("name, depth, dims, ratios", [
    # AutoST experiments/search_space/*.yaml (Wang et al., ICASSP 2024)
    ("autost-tiny", (1, 10), [192, 256, 320, 384], [3, 4, 5]),
    ("autost-small", (2, 12), [256, 320, 384, 448, 512], [3, 4, 5]),
    ("autost-base", (4, 15), [384, 448, 512, 576, 640, 704, 768], [3, 4, 5, 6]),
])
def test_autost_spaces_match_the_published_search_spaces(name, depth, dims, ratios):
    space = load_space(name)
    offered_depth = _offered(space, "depth")
    assert (offered_depth[0], offered_depth[-1]) == depth and _offered(space, "embed_dim") == dims
    assert _offered(space, "mlp_ratio") == ratios and _offered(space, "heads") == [4, 8]
    assert "heads" in space.block_choices and "mlp_ratio" in space.block_choices
    fixed = space.fixed
    assert (fixed["residual"], fixed["timesteps"], fixed["num_classes"]) == ("ms", 4, 100)
    assert fixed["qkv_bias"] and fixed["linear_bias"] and space.constraints == {
        "max_params": 12e6}


def test_mixed_space_offers_every_mixer_masking_and_time_steps():
    from autost.arch import CHANNEL_MIXERS, TOKEN_MIXERS

    space = load_space("mixed")
    assert set(_offered(space, "token_mixer")) == set(TOKEN_MIXERS)
    assert set(_offered(space, "channel_mixer")) == set(CHANNEL_MIXERS)
    assert 0.0 in _offered(space, "mask_ratio") and _offered(space, "timesteps") == [1, 2, 4]
