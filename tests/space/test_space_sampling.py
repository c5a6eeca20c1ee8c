"""Drawing architectures: Optuna trials, random sampling, conditions, widths, grids, sizes."""

import random

import optuna
import pytest
from space_files import RandomTrial, space_of, space_text

from autost.arch import ArchConfig
from autost.space import load_space

optuna.logging.set_verbosity(optuna.logging.WARNING)

TOY = space_text("toy")
FINITE = space_text("finite")


def test_suggest_with_optuna_trials_gives_valid_configs_and_stable_names(tmp_path):
    space = space_of(tmp_path, TOY)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, n_startup_trials=5))
    for _ in range(40):
        trial = study.ask()
        cfg = space.suggest(trial)
        assert isinstance(cfg, ArchConfig)
        study.tell(trial, cfg.depth * cfg.embed_dim)
        assert space.suggest(optuna.trial.FixedTrial(trial.params)) == cfg
    names = {name for t in study.trials for name in t.params}
    assert {"depth", "embed_dim", "block0.token_mixer", "block1.channel_mixer"} <= names
    assert names <= {"depth", "embed_dim"} | {
        f"block{i}.{key}" for i in (0, 1)
        for key in ("token_mixer", "channel_mixer", "heads@128", "heads@192",
                    "token_experts@128", "token_experts@192", "channel_experts@512",
                    "channel_experts@768")
    }


def test_every_parameter_name_keeps_one_distribution(tmp_path):
    space = space_of(tmp_path, TOY)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = {}
    for _ in range(120):
        trial = study.ask()
        study.tell(trial, space.suggest(trial).embed_dim)
    for t in study.trials:
        for name, dist in t.distributions.items():
            assert seen.setdefault(name, dist) == dist, name
    # at width 128 only one choice divides, so nothing is suggested there
    assert "block0.heads@128" not in seen and "block0.token_experts@128" not in seen
    assert seen["block0.heads@192"].choices == (4, 12)
    assert seen["block0.token_experts@192"].choices == (2, 3)


def test_conditions_are_respected(tmp_path):
    space, rng = space_of(tmp_path, TOY), random.Random(3)
    for _ in range(300):
        trial = RandomTrial(rng)
        cfg = space.suggest(trial)
        for i, b in enumerate(cfg.blocks):
            assert (b.token_experts is not None) == (b.token_mixer == "emsa")
            assert (b.channel_experts is not None) == (b.channel_mixer == "emsp")
            assert (b.heads is None) == (b.token_mixer != "ssa")  # emsa, conv: no heads
            suggested = {n.split(".")[1].split("@")[0] for n in trial.params
                         if n.startswith(f"block{i}.")}
            wide = cfg.embed_dim == 192
            assert ("token_experts" in suggested) == (b.token_mixer == "emsa" and wide)
            assert ("channel_experts" in suggested) == (b.channel_mixer == "emsp" and wide)
            assert ("heads" in suggested) == (b.token_mixer == "ssa" and wide)
        assert not any(n.startswith(f"block{cfg.depth}.") for n in trial.params)


def test_sample_is_suggest_with_uniform_random_choices(tmp_path):
    space = space_of(tmp_path, TOY)
    for seed in range(20):
        assert space.sample(random.Random(seed)) == space.suggest(RandomTrial(random.Random(seed)))


def test_sample_is_reproducible_for_a_seed():
    space = load_space("mixed")
    first = [space.sample(random.Random(7)).arch_id for _ in range(3)]
    rng_a, rng_b = random.Random(11), random.Random(11)
    assert len(set(first)) == 1
    assert [space.sample(rng_a) for _ in range(50)] == [space.sample(rng_b) for _ in range(50)]
    assert len({space.sample(rng_a).arch_id for _ in range(50)}) > 40


def test_size_counts_the_distinct_architectures(tmp_path):
    space, rng = space_of(tmp_path, TOY), random.Random(0)
    seen = {space.sample(rng) for _ in range(20000)}  # the seed reaches all 282 by 14000
    assert len(seen) == space.size() == 282


def test_grid_enumerates_a_finite_space_with_optuna_grid_sampler(tmp_path):
    space = space_of(tmp_path, FINITE)
    grid = space.grid()
    assert space.is_finite() and grid == {
        "embed_dim": [128, 256], "timesteps": [1, 2],
        "stage0.token_mixer": ["qk_token", "ssa"], "stage1.token_mixer": ["qk_token", "ssa"],
        "block0.mlp_ratio": [2.0, 4.0], "block1.mlp_ratio": [2.0, 4.0],
        "block2.mlp_ratio": [2.0, 4.0],
    }
    study = optuna.create_study(sampler=optuna.samplers.GridSampler(grid, seed=0))
    found = set()
    study.optimize(lambda trial: found.add(space.suggest(trial).arch_id) or 0.0,
                   n_trials=space.size())
    assert len(found) == space.size() == 128


def test_stage_choices_are_shared_by_the_blocks_of_a_stage(tmp_path):
    space, rng = space_of(tmp_path, FINITE), random.Random(0)
    for _ in range(50):
        cfg = space.sample(rng)
        assert cfg.stage_depths == (1, 2)
        assert cfg.blocks[1].token_mixer == cfg.blocks[2].token_mixer


def test_grid_is_none_where_parameters_vary_per_trial(tmp_path):
    assert space_of(tmp_path, TOY).grid() is None
    assert not load_space("spikformer").is_finite()  # heads under width-qualified names
    # heads is suggested only where some stage is qk_token or ssa, not where all are qk_channel
    assert load_space("qkformer").grid() is None


@pytest.mark.parametrize("text", [
    FINITE.replace("[global]", "[global]\nheads = [4, 8]"),
    FINITE.replace("stage_depths = [1, 2]", "").replace(
        "[global]", "[global]\nstage_depths = [[1, 2], [2, 1]]"),
])
def test_grid_covers_exactly_the_suggested_parameters(tmp_path, text):
    space = space_of(tmp_path, text)
    grid = space.grid()
    trial = RandomTrial(random.Random(0))
    space.suggest(trial)
    assert set(trial.params) == set(grid)
