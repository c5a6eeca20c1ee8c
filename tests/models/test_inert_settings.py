"""One network, one arch_id: settings that do not change the built network are None.

The tables in autost.arch (HEADED_TOKEN_MIXERS, MIXER_SETTINGS) say which token mixers read
``heads`` and the attention settings; a recording config checks them against what the
builder really reads, and pairs differing only in unread settings share one arch_id.
"""

import pytest

from autost.arch import (
    HEADED_TOKEN_MIXERS,
    MIXER_SETTINGS,
    PATCH_SPLITTERS,
    TOKEN_MIXERS,
    ArchConfig,
    BlockConfig,
)
from autost.exceptions import ArchValidationError
from autost.models.builder import SpikingTransformer

# The issue's network: L2 D192 conv blocks of the stmixer space, stored by autost before
# schema version 2 as 3fb9312d11e3... (heads 4) and 3ce8eb45c54a... (heads 16).
STMIXER_FIXED = dict(embed_dim=192, patch_splitter="ipsps", residual="ms", qkv_bias=False,
                     linear_bias=False, timesteps=1, num_classes=100)
CONV_L2_D192 = "cb0c6651b699d1668d59bf57fc7ebdb5c52aecf24c3064bd5178870342b7905f"


def _model(mixer: str, heads: int = 4, **changes) -> ArchConfig:
    block = BlockConfig(mixer, "mlp", heads=heads,
                        token_experts=2 if mixer == "emsa" else None)
    return ArchConfig(blocks=(block, block), embed_dim=64, **changes)


def test_the_issues_conv_network_has_one_arch_id():
    ids = {ArchConfig(blocks=(BlockConfig("conv", "mlp", heads=h, mlp_ratio=2),) * 2,
                      **STMIXER_FIXED).arch_id for h in (4, 8, 16)}
    assert ids == {CONV_L2_D192}


@pytest.mark.parametrize("mixer", sorted(set(TOKEN_MIXERS) - set(HEADED_TOKEN_MIXERS)))
def test_heads_of_a_mixer_without_heads_do_not_split_the_arch_id(mixer):
    two, eight = _model(mixer, heads=2), _model(mixer, heads=8)
    assert two == eight and two.arch_id == eight.arch_id
    assert two.blocks[0].heads is None


@pytest.mark.parametrize("mixer", HEADED_TOKEN_MIXERS)
def test_heads_of_a_headed_mixer_give_another_network(mixer):
    assert _model(mixer, heads=2).arch_id != _model(mixer, heads=8).arch_id


SETTING_PAIRS = {
    "qkv_bias": (True, False),
    "attention_order": ("qk_v", "q_kv"),
    "attention_scale": (0.125, 0.25),
    "attention_v_threshold": (0.5, 0.25),
}


@pytest.mark.parametrize("mixer", TOKEN_MIXERS)
@pytest.mark.parametrize("setting", sorted(MIXER_SETTINGS))
def test_attention_settings_split_the_arch_id_only_where_a_mixer_reads_them(mixer, setting):
    a, b = (_model(mixer, **{setting: v}) for v in SETTING_PAIRS[setting])
    if mixer in MIXER_SETTINGS[setting]:
        assert a.arch_id != b.arch_id and getattr(a, setting) == SETTING_PAIRS[setting][0]
    else:
        assert a == b and a.arch_id == b.arch_id and getattr(a, setting) is None


def test_one_reading_block_keeps_a_setting_for_the_model():
    ssa, conv = BlockConfig("ssa", heads=4), BlockConfig("conv")
    cfg = ArchConfig(blocks=(conv, ssa), embed_dim=64, attention_scale=0.25, qkv_bias=False)
    assert (cfg.attention_scale, cfg.qkv_bias, cfg.attention_order) == (0.25, False, "qk_v")
    assert [b.heads for b in cfg.blocks] == [None, 4]


def test_a_setting_a_block_reads_cannot_be_left_out():
    with pytest.raises(ArchValidationError) as err:
        _model("ssa", attention_scale=None)
    assert str(err.value) == "attention_scale None is invalid: must be a finite number"
    with pytest.raises(ArchValidationError) as err:
        _model("stm", heads=None)
    assert str(err.value) == "heads in block 0: None is invalid: must be a positive integer"


def test_the_canonical_form_round_trips():
    cfg = _model("conv", qkv_bias=False)
    assert ArchConfig.from_json(cfg.to_json()) == cfg
    assert ArchConfig.from_json(cfg.to_json()).arch_id == cfg.arch_id


class _Reads:
    """Wrap an ArchConfig (or BlockConfig) and record the fields the builder reads."""

    def __init__(self, target, read: set, prefix: str = ""):
        self._target, self._read, self._prefix = target, read, prefix

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if name == "blocks":
            return tuple(_Reads(b, self._read, "block.") for b in value)
        self._read.add(self._prefix + name)
        return value


def _reads(cfg: ArchConfig) -> set:
    read = set()
    SpikingTransformer(_Reads(cfg, read))
    return read


@pytest.mark.parametrize("mixer", TOKEN_MIXERS)
def test_the_tables_are_what_the_builder_reads(mixer):
    read = _reads(_model(mixer))
    assert ("block.heads" in read) == (mixer in HEADED_TOKEN_MIXERS)
    assert {s for s in MIXER_SETTINGS if s in read} == {
        s for s, readers in MIXER_SETTINGS.items() if mixer in readers}


@pytest.mark.parametrize(("splitter", "residual"), [
    (splitter, residual) for splitter in PATCH_SPLITTERS for residual in ("sew", "ms")
    if (splitter, residual) != ("ms_sps", "sew")])  # ms_sps is membrane-shortcut only
def test_splitters_blocks_and_channel_mixers_read_no_mixer_setting(splitter, residual):
    block = BlockConfig("conv", "emsp", channel_experts=2)
    stages = (1, 1) if splitter == "speds" else ()
    cfg = ArchConfig(blocks=(block, block), embed_dim=64, patch_splitter=splitter,
                     stage_depths=stages, residual=residual)
    assert not _reads(cfg) & {"block.heads", *MIXER_SETTINGS}

