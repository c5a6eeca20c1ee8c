"""A space suggests only what changes the network: every draw is a distinct arch_id.

Each test space is enumerated exhaustively (every path through its suggestions); the number
of paths, of distinct arch_ids and ``SearchSpace.size()`` must all agree.
"""

import random

import pytest
from space_files import RandomTrial, space_of, space_text

from autost.exceptions import InvalidSpaceError
from autost.space import load_space

TOY = space_text("toy")
STM_LIKE = space_text("stm_like")
QK_LIKE = space_text("qk_like")


class _Path:
    """Takes the choices a path prescribes, the first one past its end; counts branches."""

    def __init__(self, path):
        self.path, self.branches = path, []

    def categorical(self, name, values):
        return self._take(list(values))

    def integer(self, name, low, high, step):
        return self._take(list(range(low, high + 1, step)))

    def _take(self, values):
        i = len(self.branches)
        self.branches.append(len(values))
        return values[self.path[i] if i < len(self.path) else 0]


def _every_draw(space) -> list[str]:
    """arch_ids of every path through the space's suggestions (depth-first)."""
    ids, stack = [], [()]
    while stack:
        path = stack.pop()
        chooser = _Path(path)
        ids.append(space._build(chooser).arch_id)
        for pos in range(len(path), len(chooser.branches)):
            stack += [(*path, *[0] * (pos - len(path)), alt)
                      for alt in range(1, chooser.branches[pos])]
    return ids


@pytest.mark.parametrize(("text", "size"), [(STM_LIKE, 592), (QK_LIKE, 56), (TOY, 282)])
def test_every_draw_is_another_network_and_size_counts_them(tmp_path, text, size):
    space = space_of(tmp_path, text)
    ids = _every_draw(space)
    assert len(ids) == len(set(ids)) == space.size() == size


def test_qk_like_size_by_hand(tmp_path):
    """Per width: 3^2 stage mixer pairs, of which the 4 without qk_token read no heads (2
    choices); every mixer reads attention_v_threshold (2): 2 widths x (5 x 2 + 4) x 2."""
    assert space_of(tmp_path, QK_LIKE).size() == 2 * (5 * 2 + 4) * 2 == 56


def test_stm_like_size_by_hand(tmp_path):
    """Per width and depth d: (3 x 2)^d block choices; heads (3 at width 64, which 64 divides,
    2 at 96), qkv_bias (2) and attention_scale (2) multiply the models with an ssa or stm
    block, attention_scale only those with an ssa block; conv-only models count once."""
    def count(heads, d):
        conv_only, no_ssa = 2 ** d, 4 ** d          # (mixers x ratios) without ssa / any
        every = 6 ** d
        return conv_only + (no_ssa - conv_only) * heads * 2 + (every - no_ssa) * heads * 4
    assert sum(count(h, d) for h in (3, 2) for d in (1, 2)) == space_of(tmp_path, STM_LIKE).size()


def test_conv_only_models_of_the_stmixer_space_suggest_no_heads():
    space, rng = load_space("stmixer"), random.Random(0)
    seen = set()
    for _ in range(400):
        trial = RandomTrial(rng)
        cfg = space.suggest(trial)
        reads_heads = any(b.token_mixer != "conv" for b in cfg.blocks)
        assert ("heads" in trial.params) == reads_heads
        seen.add(reads_heads)
    assert seen == {True, False}


def test_stmixer_size_counts_conv_only_models_once():
    """Depth d in 2..8, 3 widths, 2 mlp ratios; 3^d mixer rows x 3 heads, of which the
    conv-only row reads no heads: sum over d of (3^(d+1) - 2) x 6."""
    assert load_space("stmixer").size() == sum((3 ** (d + 1) - 2) * 6 for d in range(2, 9))


@pytest.mark.parametrize(("change", "message"), [
    (("[global]", "[global]\nattention_order = [\"qk_v\", \"q_kv\"]"),
     "[global] attention_order is chosen but no token mixer of this space reads it (only "
     "ssa, emsa do); remove attention_order or offer one of them"),
    (('token_mixer = ["qk_token", "qk_channel", "sdsa"]', 'token_mixer = ["qk_channel", "sdsa"]'),
     "[global] heads is chosen but no token mixer of this space reads it (only ssa, "
     "qk_token, stm do); remove heads or offer one of them"),
])
def test_a_choice_no_mixer_reads_is_refused(tmp_path, change, message):
    with pytest.raises(InvalidSpaceError) as err:
        space_of(tmp_path, QK_LIKE.replace(*change))
    assert str(err.value).endswith(message)


def test_stage_heads_with_block_mixers_is_refused(tmp_path):
    text = QK_LIKE.replace("heads = [2, 4]\n", "").replace(
        "[stage]\n", "[stage]\nheads = [2, 4]\n[block]\n")
    with pytest.raises(InvalidSpaceError) as err:
        space_of(tmp_path, text)
    assert str(err.value).endswith("[stage] heads depends on token_mixer, which is chosen per "
                                   "block; move heads to [block]")
