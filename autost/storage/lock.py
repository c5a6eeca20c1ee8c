"""A named lock shared by every process that opens one database, freed when its holder dies.

PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on a connection kept for
the lock, keyed by a hash of the name; the server frees it when the holder's connection
closes or its process is killed. SQLite: an ``flock`` on the file ``<database>-autost.lock``
beside the database; the kernel frees it when the holder's process exits. All names share
that one file on SQLite, so hold one lock at a time (never nest two ``held()`` blocks). The
holder deletes the file before it lets go, so no command leaves it behind (a process killed
while holding it leaves it, and the next holder deletes it); a waiter that then holds the
lock on a deleted file opens the path again.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path


class DatabaseLock:
    """A lock called ``name`` on the database of ``engine`` (see the module docstring)."""

    def __init__(self, engine, name: str) -> None:
        self._engine = engine
        self._key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big",
                                   signed=True)
        self._connection = None
        self._path = None
        if engine.dialect.name == "sqlite":
            self._path = Path(f"{engine.url.database}-autost.lock")

    @contextmanager
    def held(self):
        """Hold the lock for the duration of the block (waits while another process holds it)."""
        if self._path is not None:
            with _flocked(self._path):
                yield
            return
        import sqlalchemy as sa

        if self._connection is None:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
        self._connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": self._key})
        try:
            yield
        finally:
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})

    def close(self) -> None:
        """Give back the connection kept for the lock (PostgreSQL)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def _flocked(path: Path):
    fd = _lock_file(path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # still held: whoever opens the path next makes a new file
        os.close(fd)  # closing the descriptor releases the flock


def _lock_file(path: Path) -> int:
    """A descriptor holding the flock of the file now at ``path`` (made if missing)."""
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder before deleted the file we waited on: open the path again


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)
