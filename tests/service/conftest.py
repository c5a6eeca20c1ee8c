"""Fixtures of the service tests: a real tiny study and the app over it."""

from __future__ import annotations

import sqlite3

import pytest
from service_helpers import make_client, run_tiny_search


@pytest.fixture(scope="session")
def _tiny_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("service") / "template.db"
    run_tiny_search(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(_tiny_template, tmp_path):
    """SQLite URL of a private copy of the tiny study's database."""
    path = tmp_path / "autost.db"
    with sqlite3.connect(_tiny_template) as source, sqlite3.connect(path) as copy:
        source.backup(copy)  # the search's last writes may still be in the WAL file
    return f"sqlite:///{path}"


@pytest.fixture
def client(db_url):
    """The app over the tiny study, without job processes (jobs stay queued)."""
    with make_client(db_url) as c:
        yield c
