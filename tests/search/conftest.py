"""A four-architecture space file for fast searches, and a SQLite URL in a temp dir."""

from pathlib import Path

import pytest

TINY_SPACE = Path(__file__).with_name("tiny.toml")


@pytest.fixture
def tiny_space():
    """Path of a space file with exactly four architectures (a finite grid)."""
    return str(TINY_SPACE)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'search.db'}"
