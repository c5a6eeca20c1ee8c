"""Storage URLs: defaults, driver choice, and errors that come fast with the password masked."""

import os
import socket
import sqlite3
import time

import pytest

from autost.exceptions import StorageError
from autost.storage import open_storage
from autost.storage._url import _enable_wal, mask_url, parse_url


def test_default_is_sqlite_file_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    storage = open_storage()
    assert storage.url == f"sqlite:///{tmp_path / 'autost.db'}"
    assert (tmp_path / "autost.db").is_file()
    storage.close()


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'a.db'}")
    with storage.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    storage.close()


class _LockedCursor:
    """A cursor on a fresh file whose first two journal-mode changes hit a lock."""

    def __init__(self, error="database is locked"):
        self.error, self.tries, self.mode = error, 0, "delete"

    def execute(self, sql):
        if sql.endswith("= WAL"):
            self.tries += 1
            if self.tries <= 2:
                raise sqlite3.OperationalError(self.error)
            self.mode = "wal"
        return self

    def fetchone(self):
        return (self.mode,)


def test_wal_switch_waits_out_another_process_opening_the_same_file():
    """SQLite answers "database is locked" without its busy handler when processes open
    a fresh file together (seen in CI); the switch retries instead of failing."""
    cursor = _LockedCursor()
    _enable_wal(cursor)
    assert (cursor.tries, cursor.mode) == (3, "wal")


def test_wal_switch_raises_other_errors_at_once():
    cursor = _LockedCursor("disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        _enable_wal(cursor)
    assert cursor.tries == 1


@pytest.mark.parametrize("url", ["postgresql://u:p@h/db", "postgres://u:p@h/db"])
def test_postgresql_urls_use_psycopg3(url):
    assert parse_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url, masked", [
    ("postgresql://bob:s3cret@db.lan:5432/x", "postgresql://bob:***@db.lan:5432/x"),
    ("postgresql://bob:pa/s@s@db/x", "postgresql://bob:***@db/x"),
    ("postgresql:/bob:s3cret@db", "postgresql:/bob:***@db"),
    ("bob:s3cret@db", "bob:***@db"),
    ("postgresql://bob@db/x", "postgresql://bob@db/x"),
    ("sqlite:///runs/a@b.db", "sqlite:///runs/a@b.db"),
    ("not a url", "not a url"),
])
def test_mask_url_hides_only_the_password(url, masked):
    assert mask_url(url) == masked


@pytest.mark.parametrize("url, message", [
    ("not a url", "cannot parse storage URL 'not a url': Could not parse SQLAlchemy URL from "
                  "given URL string; expected e.g. sqlite:///autost.db or "
                  "postgresql://user:pass@host/db"),
    ("postgres//bob:s3cret@h/db", "cannot parse storage URL 'postgres//bob:***@h/db': Could "
                                  "not parse SQLAlchemy URL from given URL string; expected "
                                  "e.g. sqlite:///autost.db or postgresql://user:pass@host/db"),
    ("mysql://bob:s3cret@h/db", "unsupported storage URL scheme 'mysql' in "
                                "'mysql://bob:***@h/db': autost stores results in SQLite or "
                                "PostgreSQL; expected e.g. sqlite:///autost.db or "
                                "postgresql://user:pass@host/db"),
    ("sqlite://", "storage URL 'sqlite://' is an in-memory SQLite database, which Optuna and "
                  "autost cannot share; give a file, e.g. sqlite:///autost.db"),
    ("sqlite:////no/such/dir/a.db", "cannot open storage sqlite:////no/such/dir/a.db: "
                                    "directory '/no/such/dir' does not exist; create it or "
                                    "choose another path"),
])
def test_bad_urls_say_what_to_do(url, message):
    with pytest.raises(StorageError) as e:
        open_storage(url)
    assert str(e.value) == message


@pytest.mark.parametrize("host", ["127.0.0.1:1", "no-such-host.invalid"])
def test_unreachable_postgres_fails_fast_with_password_masked(host):
    start = time.monotonic()
    with pytest.raises(StorageError) as e:
        open_storage(f"postgresql://bob:s3cret@{host}/results")
    assert time.monotonic() - start < 10
    message = str(e.value)
    assert "s3cret" not in message
    assert message.startswith(f"cannot reach storage postgresql://bob:***@{host}/results: ")
    assert message.endswith("check that the server is running and that host, port, user, "
                            "password and database in the URL are right")


def test_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(StorageError, match="check the file is an SQLite database"):
        open_storage(f"sqlite:///{path}")


def test_server_that_never_answers_times_out_within_seconds():
    """A host that accepts TCP but never speaks (a firewall, a wrong port) hits the
    5 s connect timeout instead of hanging."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(StorageError, match="cannot reach storage postgresql://bob:\\*\\*\\*@"):
            open_storage(f"postgresql://bob:s3cret@127.0.0.1:{port}/results")
        assert time.monotonic() - start < 10
