"""Counted nouns: singular for one, a plural that fits otherwise."""

import pytest

from autost.exceptions import unknown_name
from autost.wording import counted, plural


@pytest.mark.parametrize("noun, nouns", [
    ("architecture", "architectures"), ("epoch", "epochs"), ("proxy", "proxies"),
    ("objective proxy", "objective proxies"), ("key", "keys"), ("process", "processes"),
    ("batch", "batches"),
])
def test_plural(noun, nouns):
    assert plural(noun) == nouns


def test_counted_is_singular_for_one_only():
    assert [counted(n, "architecture") for n in (0, 1, 2)] == [
        "0 architectures", "1 architecture", "2 architectures"]
    assert counted(1, "epoch") == "1 epoch"
    assert counted(176982, "architecture", "1.77e+05") == "1.77e+05 architectures"


def test_unknown_names_list_the_known_in_the_same_plural():
    assert str(unknown_name("objective proxy", "zzz", ["flops", "energy"])) == (
        "unknown objective proxy 'zzz'; known objective proxies: energy, flops")
