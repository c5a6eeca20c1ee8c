"""Parsing space files: every key and value checked, errors name the file, key and choices."""

import random
import subprocess
import sys
import textwrap

import pytest

from autost.exceptions import InvalidSpaceError, UnknownSpaceError
from autost.space import load_space

MINIMAL = """
[space]
name = "toy"
[global]
depth = 2
"""


def write(tmp_path, text, name="toy.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def error_of(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(InvalidSpaceError) as info:
        load_space(path)
    return str(info.value).replace(path, "FILE")


def test_minimal_file_gives_arch_defaults_and_no_parameters(tmp_path):
    space = load_space(write(tmp_path, MINIMAL))
    assert space.name == "toy" and space.num_parameters() == 0 and space.size() == 1
    assert space.grid() == {} and space.is_finite()
    cfg = space.sample(random.Random(0))
    assert cfg.depth == 2 and cfg.embed_dim == 384 and cfg.blocks[0].token_mixer == "ssa"


def test_name_defaults_to_the_file_stem(tmp_path):
    assert load_space(write(tmp_path, "[global]\ndepth = 1\n", "my-space.toml")).name == "my-space"


@pytest.mark.parametrize("text, message", [
    ("[global]\ndepth = 2\n[blocks]\nheads = 8\n",
     "FILE: unknown table 'blocks'; did you mean 'block'? allowed: space, fixed, global, stage, "
     "block, constraints"),
    ("[global]\ndepth = 2\nembed = [256]\n",
     "FILE: [global] unknown key 'embed'; did you mean 'embed_dim'? allowed: stage_depths, "
     "depth, embed_dim, patch_size, timesteps, patch_splitter, residual, mask_ratio, "
     "attention_order, attention_scale, attention_v_threshold, decay_input, detach_reset, "
     "linear_bias, qkv_bias, surrogate, surrogate_alpha, tau, v_threshold, heads, mlp_ratio"),
    ("[global]\ndepth = 2\n[block]\ntoken_mixer = [\"ssa\", \"foo\"]\n",
     "FILE: [block] token_mixer 'foo' is not allowed; choose from ssa, qk_token, qk_channel, "
     "stm, emsa, conv, sdsa"),
    ("[global]\ndepth = 2\nresidual = \"pre\"\n",
     "FILE: [global] residual 'pre' is not allowed; choose from sew, ms"),
    ("[global]\ndepth = \"four\"\n",
     "FILE: [global] depth 'four' is not allowed; depth takes integers of at least 1"),
    ("[global]\ndepth = 2\nmlp_ratio = {low = 2, high = 4}\n",
     "FILE: [global] mlp_ratio cannot be a range; ranges are for integer keys, write a list "
     "of choices instead"),
    ("[global]\ndepth = {low = 4, high = 2}\n",
     "FILE: [global] depth range low 4, high 2, step 1 is not allowed; need low <= high and "
     "high - low a multiple of step"),
    ("[global]\ndepth = [2, 4, 2]\n",
     "FILE: [global] depth lists 2 more than once; list each value once"),
    ("[global]\nembed_dim = 256\n",
     "FILE: [global] depth is required, e.g. depth = 4 or depth = {low = 2, high = 8}"),
    ("[fixed]\ntimesteps = 4\n[global]\ndepth = 2\ntimesteps = [1, 2]\n",
     "FILE: timesteps is set in both [fixed] and [global]; keep one"),
    ("[global]\ndepth = 2\nheads = [4, 8]\n[block]\nheads = [4, 8]\n",
     "FILE: heads is set in both [global] and [block]; keep one"),
    ("[global]\ndepth = 2\n[block]\ntoken_mixer = [\"ssa\", \"emsa\"]\n",
     "FILE: token_mixer may be emsa, so token_experts is required in [block], e.g. "
     "token_experts = [2, 4, 8]"),
    ("[global]\ndepth = 2\n[block]\nchannel_experts = [2, 4]\n",
     "FILE: channel_experts is set but channel_mixer is never emsp; remove channel_experts "
     "or offer emsp"),
    ("[global]\ndepth = 2\n[block]\ntoken_mixer = \"emsa\"\n"
     "token_experts = {choices = [2], when = {token_mixer = [\"emsa\"]}}\n",
     "FILE: [block] token_experts takes no when; it is chosen exactly where the mixer takes "
     "experts (emsa for token_experts, emsp for channel_experts)"),
    ("[global]\ndepth = 2\n[block]\nheads = {choices = [4, 8], when = {mlp_ratio = [4]}}\n",
     "FILE: [block] heads when refers to 'mlp_ratio'; it may refer to token_mixer, "
     "channel_mixer"),
    ("[global]\ndepth = 2\n[block]\nheads = {choices = [4, 8], when = {token_mixer = [\"x\"]}}\n",
     "FILE: [block] heads when token_mixer 'x' is not allowed; choose from ssa, qk_token, "
     "qk_channel, stm, emsa, conv, sdsa"),
    ("[global]\ndepth = 2\n[block]\nheads = {choices = [4, 8], default = 8}\n",
     "FILE: [block] heads has a default but no when; a default is the value used where the "
     "when condition does not hold"),
    ("[global]\ndepth = 2\nembed_dim = [256, 320]\nheads = [3, 6]\n",
     "FILE: [global] heads: no choice divides width 256; offer a divisor of 256 (choices: "
     "3, 6)"),
    ("[global]\ndepth = 2\nembed_dim = [100]\n",
     "FILE: embed_dim 100 is not allowed; it must be divisible by 8"),
    ("[global]\ndepth = 2\nembed_dim = [136]\n[block]\ntoken_mixer = [\"ssa\", \"conv\"]\n"
     "heads = {choices = [4], when = {token_mixer = [\"ssa\"]}, default = 16}\n",
     "FILE: heads 16 (the value used where heads is not chosen) does not divide width 136; "
     "declare heads choices that divide it"),
    ("[global]\ndepth = 2\nembed_dim = [256]\nmlp_ratio = [4.01]\n",
     "FILE: mlp_ratio 4.01 is not allowed with width 256; width x mlp_ratio must be a whole "
     "number"),
    ("[fixed]\npatch_splitter = \"speds\"\n[global]\ndepth = 4\n",
     "FILE: the speds splitter needs stage_depths (blocks per stage) instead of depth, e.g. "
     "[[1, 1, 2], [1, 2, 3]] in [global] or [1, 1, 2] in [fixed]"),
    ("[global]\ndepth = 2\n[stage]\ntoken_mixer = [\"ssa\", \"stm\"]\n",
     "FILE: stage_depths and [stage] need patch_splitter speds; other splitters have one "
     "stage, set depth instead"),
    ("[global]\ndepth = 2\npatch_splitter = [\"sps\", \"speds\"]\n",
     "FILE: [global] patch_splitter mixes speds with sps; speds has stages, so give it a "
     "space file of its own"),
    ("[fixed]\npatch_splitter = \"speds\"\nstage_depths = [1, 1]\n[stage]\n"
     "token_experts = [2, 4]\n[block]\ntoken_mixer = [\"ssa\", \"emsa\"]\n",
     "FILE: [stage] token_experts depends on token_mixer, which is chosen per block; move "
     "token_experts to [block]"),
    ("[global]\ndepth = 2\nmask_ratio = [0.0, 1.0]\n",
     "FILE: mask_ratio 1.0 gives an invalid architecture: mask_ratio 1.0 is invalid: must be "
     "in [0, 1)"),
    ("[global]\ndepth = 2\n[constraints]\nmax_params = \"12X\"\n",
     "FILE: [constraints] max_params '12X' is not a number; write e.g. 12M, 1.5G, 250k or "
     "1.5"),
    ("[global]\ndepth = 2\n[constraints]\nmax_flops = 1\n",
     "FILE: [constraints] unknown key 'max_flops'; did you mean 'max_params'? allowed: "
     "max_params, max_macs, max_energy_mj"),
    ("[global\ndepth = 2\n",
     "FILE: not valid TOML: Expected ']' at the end of a table declaration (at line 1, "
     "column 8)"),
    ("[fixed]\ninput_size = 64\n[global]\ndepth = 2\n",
     "FILE: [fixed] input_size is a dataset default; set it in [space]"),
    ("[fixed]\ndepth = [2, 4]\n",
     "FILE: [fixed] depth [2, 4] is not allowed; [fixed] takes one value, choices go in "
     "[global]"),
])
def test_errors_name_file_key_and_allowed_values(tmp_path, text, message):
    assert error_of(tmp_path, text) == message


@pytest.mark.parametrize("raw, value", [
    ("12000000", 12e6), ("\"12M\"", 12e6), ("\"1.5G\"", 1.5e9), ("\"300k\"", 3e5),
    ("2.5", 2.5), ("\"1e3\"", 1e3),
])
def test_constraints_accept_numbers_and_suffixed_strings(tmp_path, raw, value):
    space = load_space(write(tmp_path, MINIMAL + f"[constraints]\nmax_macs = {raw}\n"))
    assert space.constraints == {"max_macs": value}


def test_fixed_depth_heads_and_mlp_ratio_are_global_constants(tmp_path):
    space = load_space(write(tmp_path, "[fixed]\ndepth = 3\nheads = 4\nmlp_ratio = 2\n"))
    cfg = space.sample(random.Random(0))
    assert cfg.depth == 3 and {(b.heads, b.mlp_ratio) for b in cfg.blocks} == {(4, 2.0)}


def test_unknown_space_suggests_close_names():
    with pytest.raises(UnknownSpaceError) as info:
        load_space("stmxer")
    assert str(info.value) == ("unknown space 'stmxer'; did you mean 'stmixer', 'mixed', "
                               "'spikformer'? (a space can also be the path of a .toml file)")


def test_missing_space_file_is_unknown_space(tmp_path):
    with pytest.raises(UnknownSpaceError, match="space file 'nope/x.toml' does not exist"):
        load_space("nope/x.toml")


def test_alias_autost_opens_autost_small():
    assert load_space("autost").name == "autost-small"


def test_importing_autost_space_loads_neither_torch_nor_optuna():
    code = ("import sys, autost.space; autost.space.load_space('mixed')\n"
            "print(' '.join(m for m in ('torch', 'optuna') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == ""
