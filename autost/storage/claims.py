"""Claims on architectures being scored, so that processes on one database score each
architecture once per settings key.

Before scoring, a process inserts the row (arch_id, settings_key) into ``autost_claims``
with one ``INSERT ... ON CONFLICT DO NOTHING``: exactly one process gets it, the others wait
for the stored scores. While it holds claims a background thread refreshes their
``claimed_at`` every ``refresh_s`` seconds. A claim not refreshed for ``stale_s`` seconds
belongs to a process that was killed (so does, at once, a claim whose owner ``host:pid:...``
names this machine and a pid that has exited), and the next process that asks takes it over
with an UPDATE conditioned on the owner and time it read, so only one process does. The
holder deletes the row once the scores are stored, or when scoring failed (then the next
asker tries again).

Times are seconds since the epoch from each process's own clock; machines sharing a
database are assumed to agree within a few seconds (NTP), far below ``stale_s``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import sqlalchemy as sa

from autost.lifeline import process_alive
from autost.storage._url import dialect_insert
from autost.storage.models import Claim

REFRESH_S = 5.0
STALE_S = 30.0


class Claims:
    """This process's claims under one settings key (see the module docstring)."""

    def __init__(self, engine, settings_key: str, *, refresh_s: float = REFRESH_S,
                 stale_s: float = STALE_S) -> None:
        self._engine = engine
        self._key = settings_key
        self._stale_s = stale_s
        self._host = socket.gethostname()
        self.owner = f"{self._host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh_loop, args=(refresh_s,),
                                        name="autost-claims", daemon=True)
        self._thread.start()

    def claim(self, arch_id: str) -> bool:
        """Claim ``arch_id`` for scoring here: True if this process may score it now."""
        table = Claim.__table__
        now = time.time()
        row = {"arch_id": arch_id, "settings_key": self._key, "owner": self.owner,
               "claimed_at": now}
        insert = dialect_insert(self._engine)
        this = (table.c.arch_id == arch_id, table.c.settings_key == self._key)
        with self._engine.begin() as connection:
            # RETURNING tells whether a row was written (psycopg reports no rowcount here)
            got = connection.execute(insert(table).values(**row).on_conflict_do_nothing(
                index_elements=["arch_id", "settings_key"]).returning(table.c.owner)).first()
            if got is None:  # held elsewhere: take it over only if its holder is gone
                held = connection.execute(
                    sa.select(table.c.owner, table.c.claimed_at).where(*this)).first()
                if held is None or not self._abandoned(*held, now):
                    return False
                got = connection.execute(table.update().where(
                    *this, table.c.owner == held.owner, table.c.claimed_at == held.claimed_at,
                ).values(owner=self.owner, claimed_at=now).returning(table.c.owner)).first()
        if got is None:  # another process took the abandoned claim first
            return False
        self._held.add(arch_id)
        return True

    def claimable(self, arch_id: str) -> bool:
        """Whether :meth:`claim` could get ``arch_id`` now (nobody holds it, or its holder is
        gone); a read only, for processes that poll."""
        table = Claim.__table__
        query = sa.select(table.c.owner, table.c.claimed_at).where(
            table.c.arch_id == arch_id, table.c.settings_key == self._key)
        with self._engine.connect() as connection:
            held = connection.execute(query).first()
        return held is None or self._abandoned(*held, time.time())

    def _abandoned(self, owner: str, claimed_at: float, now: float) -> bool:
        """A claim not refreshed for ``stale_s`` s, or one of a process of this machine that
        has exited (a search killed and rerun at once need not wait ``stale_s``)."""
        if claimed_at < now - self._stale_s:
            return True
        host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        return host == self._host and pid.isdigit() and not process_alive(int(pid))

    def release(self, arch_id: str) -> None:
        """Give up the claim on ``arch_id`` (its scores are stored, or scoring failed)."""
        self._held.discard(arch_id)
        table = Claim.__table__
        with self._engine.begin() as connection:
            connection.execute(table.delete().where(
                table.c.arch_id == arch_id, table.c.settings_key == self._key,
                table.c.owner == self.owner))

    def close(self) -> None:
        """Stop refreshing and give up every claim still held (an interrupted search)."""
        self._stop.set()
        self._thread.join()
        if self._held:
            self._held.clear()
            table = Claim.__table__
            with self._engine.begin() as connection:
                connection.execute(table.delete().where(table.c.owner == self.owner))

    def _refresh_loop(self, refresh_s: float) -> None:
        table = Claim.__table__
        while not self._stop.wait(refresh_s):
            if not self._held:
                continue
            try:
                with self._engine.begin() as connection:
                    connection.execute(table.update().where(table.c.owner == self.owner)
                                       .values(claimed_at=time.time()))
            except sa.exc.SQLAlchemyError:  # a missed refresh only risks a second scoring
                pass
