"""A four-architecture space file for fast searches, and a SQLite URL in a temp dir."""

import pytest

TINY_SPACE = """
[space]
name = "tiny"
description = "four small architectures for tests"
dataset = "cifar10"
input_size = 32
num_classes = 10
in_channels = 3

[fixed]
patch_splitter = "sps"
patch_size = 4
timesteps = 1

[global]
depth = 1
embed_dim = [64, 128]
heads = 4
mlp_ratio = 2

[block]
token_mixer = ["ssa", "stm"]
channel_mixer = "mlp"
"""


@pytest.fixture
def tiny_space(tmp_path):
    """Path of a space file with exactly four architectures (a finite grid)."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_SPACE)
    return str(path)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'search.db'}"
