"""The trial budget shared by every process that works on a study.

``--budget N`` counts COMPLETE trials of the study, whoever finished them. Each process asks
only while ``complete + its own running < N``, so a single coordinator never overshoots;
several processes can still finish more trials than needed, so the step "count COMPLETE,
then tell" runs under a lock held across processes: a trial that would make it N + 1 is told
PRUNED (user attr ``over_budget``) instead. The lock is a PostgreSQL advisory lock (freed
by the server if its holder dies) or, for SQLite, an flock on a file beside the database.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path


class BudgetLock:
    """A lock on one study's budget, shared by processes on one database."""

    def __init__(self, engine, study_name: str) -> None:
        self._engine = engine
        self._key = int.from_bytes(
            hashlib.sha256(f"autost-budget:{study_name}".encode()).digest()[:8], "big",
            signed=True,
        )
        self._connection = None
        self._path = None
        if engine.dialect.name == "sqlite":
            self._path = Path(f"{engine.url.database}-autost.lock")

    @contextmanager
    def held(self):
        """Hold the lock for the duration of the block."""
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
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def _flocked(path: Path):
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
