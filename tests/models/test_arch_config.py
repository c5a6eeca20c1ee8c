"""ArchConfig: exact validation messages and a stable canonical JSON / arch_id."""

import dataclasses
import hashlib
import json
import math

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import ArchValidationError
from autost.models.presets import get_preset

B = BlockConfig

MESSAGES = [
    (dict(blocks=(B(heads=12),) * 2 + (B(heads=7),), embed_dim=384),
     "embed_dim 384 is not divisible by heads 7 in block 2"),
    (dict(blocks=(B("stm", heads=5),), embed_dim=64),
     "embed_dim 64 is not divisible by heads 5 in block 0"),
    (dict(blocks=(B("sda"),)),
     "token_mixer in block 0: 'sda' is invalid: must be one of ssa, qk_token, qk_channel, "
     "stm, emsa, conv, sdsa; did you mean 'sdsa', 'ssa', 'emsa'?"),
    (dict(blocks=(B(channel_mixer="moe"),)),
     "channel_mixer in block 0: 'moe' is invalid: must be one of mlp, emsp"),
    (dict(blocks=(B(),), residual="sewn"),
     "residual 'sewn' is invalid: must be one of sew, ms; did you mean 'sew'?"),
    (dict(blocks=(B("emsa"),)),
     "token_experts None is invalid in block 0: emsa needs an integer of at least 2 experts"),
    (dict(blocks=(B("emsa", token_experts=5),), embed_dim=384),
     "width 384 is not divisible by token_experts 5 in block 0"),
    (dict(blocks=(B(token_experts=2),)),
     "token_experts 2 is invalid in block 0: only emsa takes experts, this block uses ssa"),
    (dict(blocks=(B(),), patch_splitter="speds", stage_depths=(1,)),
     "stage_depths [1] is invalid: speds needs two or more stages, each with at least one block"),
    (dict(blocks=(B(),) * 3, patch_splitter="speds", stage_depths=(1, 1, 2)),
     "stage_depths [1, 1, 2] is invalid: must add up to the number of blocks (3)"),
    (dict(blocks=(B(),) * 4, patch_splitter="speds", stage_depths=(1, 1, 1, 1)),
     "stage_depths [1, 1, 1, 1] is invalid: each stage after the first halves the grid, more "
     "than patch_size 4 allows"),
    (dict(blocks=(B(),), patch_size=32, input_size=64),
     "patch_size 32 is invalid: sps down-samples at most 16x (one halving per conv)"),
    (dict(blocks=(B(),), mask_ratio=1.0), "mask_ratio 1.0 is invalid: must be in [0, 1)"),
    (dict(blocks=(B(),), input_size=30),
     "input_size 30 is invalid: must be divisible by patch_size 4"),
    (dict(blocks=(B(),), embed_dim=100),
     "embed_dim 100 is invalid: must be divisible by 8 (patch splitters use D/8)"),
    (dict(blocks=()), "blocks [] is invalid: an architecture needs at least one block"),
    (dict(blocks=(B(),), surrogate="tanh"),
     "surrogate 'tanh' is invalid: must be one of sigmoid, dspike"),
    (dict(blocks=(B(),), detach_reset=0), "detach_reset 0 is invalid: must be true or false"),
]


@pytest.mark.parametrize(("fields", "message"), MESSAGES)
def test_validation_names_field_value_and_rule(fields, message):
    with pytest.raises(ArchValidationError) as err:
        ArchConfig(**fields)
    assert str(err.value) == message


def _float_fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if "float" in str(f.type)]


def test_every_float_field_is_listed_below():
    assert _float_fields(ArchConfig) == ["attention_scale", "tau", "v_threshold",
                                         "attention_v_threshold", "surrogate_alpha",
                                         "mask_ratio"]
    assert _float_fields(BlockConfig) == ["mlp_ratio"]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "2.0", None])
@pytest.mark.parametrize("name", _float_fields(ArchConfig))
def test_every_float_field_must_be_a_finite_number(name, value):
    """The same JSON that a user gives ``autost score --arch`` (Python reads NaN and
    Infinity in JSON), with every block reading the attention settings."""
    data = {**SMALL.to_dict(), name: value}
    with pytest.raises(ArchValidationError) as err:
        ArchConfig.from_json(json.dumps(data))
    assert str(err.value) == f"{name} {value!r} is invalid: must be a finite number"


@pytest.mark.parametrize("value", [math.nan, math.inf, "4"])
def test_mlp_ratio_must_be_a_finite_number(value):
    block = {**SMALL.to_dict()["blocks"][0], "mlp_ratio": value}
    with pytest.raises(ArchValidationError) as err:
        ArchConfig.from_dict({**SMALL.to_dict(), "blocks": [block]})
    assert str(err.value) == f"mlp_ratio in block 0: {value!r} is invalid: must be a finite number"


@pytest.mark.parametrize(("name", "value", "rule"), [
    ("tau", 0.5, "must be at least 1 (the LIF decays by 1/tau per step)"),
    ("v_threshold", 0.0, "must be positive"),
    ("attention_v_threshold", -1.0, "must be positive"),
    ("attention_scale", 0.0, "must be positive"),
    ("surrogate_alpha", -4.0, "must be positive"),
    ("mask_ratio", -0.1, "must be in [0, 1)"),
])
def test_every_float_field_has_a_range(name, value, rule):
    with pytest.raises(ArchValidationError) as err:
        ArchConfig.from_dict({**SMALL.to_dict(), name: value})
    assert str(err.value) == f"{name} {value!r} is invalid: {rule}"


def test_from_dict_rejects_unknown_fields():
    with pytest.raises(ArchValidationError, match=r"^unknown field\(s\) mixer in block 0; "):
        ArchConfig.from_dict({"blocks": [{"mixer": "ssa"}]})
    with pytest.raises(ArchValidationError, match=r"^unknown ArchConfig field\(s\) depth; "):
        ArchConfig.from_dict({"blocks": [{}], "depth": 3})


SMALL = ArchConfig(blocks=(B("ssa", "mlp", heads=4, mlp_ratio=4),), embed_dim=64)
SMALL_JSON = (
    '{"attention_order":"qk_v","attention_scale":0.125,"attention_v_threshold":0.5,'
    '"blocks":[{"channel_experts":null,"channel_mixer":"mlp","heads":4,"mlp_ratio":4.0,'
    '"token_experts":null,"token_mixer":"ssa"}],"embed_dim":64,"in_channels":3,'
    '"input_size":32,"linear_bias":true,"mask_ratio":0.0,"num_classes":10,"patch_size":4,'
    '"patch_splitter":"sps","qkv_bias":true,"residual":"sew","stage_depths":[],'
    '"surrogate_alpha":4.0,"tau":2.0,"timesteps":4,"v_threshold":1.0}'
)


def test_canonical_json_and_arch_id_are_stable():
    """Changing these orphans every stored score: arch_id keys the database rows."""
    assert SMALL.to_json() == SMALL_JSON
    assert SMALL.arch_id == hashlib.sha256(SMALL_JSON.encode()).hexdigest()
    assert SMALL.arch_id == "851714e92b682c4cc06bae4034d14a32b2cd6e9a414d4c1c6f80dd972d764888"


# arch_ids of presets computed before ArchConfig carried the neuron (decay_input, surrogate,
# detach_reset): the canonical JSON leaves the neuron out at Spikformer's defaults.
PINNED_IDS = {
    "spikformer-4-384": "9ff43ea946372a6f864d13cca3f018ee7d01aca5af6d4dcea74bca8371fb0ab1",
    "spikformer-8-768": "dc30cb76fece95c22bc2ce54e49acb89e2a91c71f3f2a10c885985e0ce54646d",
    "qkformer-hst-4-384": "d42a39e9bf62c7c87cde1450dda67a6c45618db8aa6274e075cbbb6fad0c2974",
    "semm-spikformer-4-384": "da0d0241c7e42d3d6c9a095e373e57991e61b281469b02abd8e2796895d4ca31",
}


@pytest.mark.parametrize("name", sorted(PINNED_IDS))
def test_presets_with_the_default_neuron_keep_their_arch_ids(name):
    assert get_preset(name).arch_id == PINNED_IDS[name]


def test_a_non_default_neuron_enters_the_canonical_json():
    cfg = SMALL.replace(decay_input=False, surrogate="dspike", detach_reset=False)
    data = json.loads(cfg.to_json())
    assert (data["decay_input"], data["surrogate"], data["detach_reset"]) == (
        False, "dspike", False)
    assert "decay_input" not in json.loads(SMALL.to_json())
    assert ArchConfig.from_json(cfg.to_json()) == cfg
    assert SMALL.replace(detach_reset=False).arch_id != SMALL.arch_id


def test_arch_id_ignores_the_name_and_int_vs_float():
    named = SMALL.replace(name="tiny")
    assert named.arch_id == SMALL.arch_id and named == SMALL
    as_float = ArchConfig(blocks=(B("ssa", "mlp", heads=4, mlp_ratio=4.0),), embed_dim=64)
    assert as_float.arch_id == SMALL.arch_id
    assert SMALL.replace(timesteps=2).arch_id != SMALL.arch_id
