"""Claims on architectures being scored: one holder, a stale claim taken over once, released
claims gone, a refreshed claim kept."""

import time

import pytest
import sqlalchemy as sa

from autost.storage import open_storage
from autost.storage.claims import Claims
from autost.storage.models import Claim


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'a.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    storage = open_storage(url)
    yield storage.engine
    storage.close()


def _rows(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(Claim.arch_id, Claim.settings_key, Claim.owner)
            .order_by(Claim.arch_id, Claim.settings_key))]


def test_one_process_holds_a_claim_until_it_releases_it(engine):
    first, second = Claims(engine, "k"), Claims(engine, "k")
    other_key = Claims(engine, "other")
    try:
        assert first.claim("a") and not second.claim("a") and not second.claimable("a")
        assert other_key.claim("a")  # another settings key is another claim
        assert _rows(engine) == [("a", "k", first.owner), ("a", "other", other_key.owner)]
        second.release("a")  # not its claim: nothing happens
        assert not second.claim("a")
        first.release("a")
        assert second.claimable("a") and second.claim("a")
        assert _rows(engine) == [("a", "k", second.owner), ("a", "other", other_key.owner)]
    finally:
        for claims in (first, second, other_key):
            claims.close()
    assert _rows(engine) == []  # close gives up what is still held


def test_a_claim_nobody_refreshes_is_taken_over_once_stale(engine):
    dead = Claims(engine, "k", refresh_s=3600)  # stands for a process killed while scoring
    takers = [Claims(engine, "k", stale_s=0.5) for _ in range(2)]
    try:
        assert dead.claim("a")
        assert not takers[0].claim("a") and not takers[0].claimable("a")
        time.sleep(0.7)
        assert takers[0].claimable("a") and takers[1].claimable("a")
        assert [t.claim("a") for t in takers] == [True, False]  # the first one takes it
        assert _rows(engine) == [("a", "k", takers[0].owner)]
    finally:
        for claims in (dead, *takers):
            claims.close()


def test_a_refreshed_claim_does_not_go_stale(engine):
    holder = Claims(engine, "k", refresh_s=0.1)
    other = Claims(engine, "k", stale_s=0.5)
    try:
        assert holder.claim("a")
        time.sleep(1.0)
        assert not other.claimable("a") and not other.claim("a")
    finally:
        holder.close()
        other.close()


def test_the_claim_of_an_exited_process_of_this_machine_is_taken_over_at_once(engine):
    import subprocess
    import sys

    code = ("import sys; from autost.storage import open_storage; "
            "from autost.storage.claims import Claims; "
            "assert Claims(open_storage(sys.argv[1]).engine, 'k').claim('a')")
    subprocess.run([sys.executable, "-c", code, engine.url.render_as_string(False)],
                   check=True, timeout=120)  # ends without releasing, as if killed
    (owner,) = [row[2] for row in _rows(engine)]
    taker = Claims(engine, "k")  # stale only after 30 s by the clock
    try:
        assert taker.claimable("a") and taker.claim("a")
        assert _rows(engine) == [("a", "k", taker.owner)] and owner != taker.owner
    finally:
        taker.close()
