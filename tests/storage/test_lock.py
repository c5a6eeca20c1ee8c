"""The SQLite database lock: exclusive across processes, and its file never left behind."""

import multiprocessing
import os
import time

import sqlalchemy as sa

from autost.storage.lock import DatabaseLock

PROCESSES, ROUNDS = 4, 25


def _engine(folder):
    return sa.create_engine(f"sqlite:///{folder / 'a.db'}")


def _count_under_the_lock(folder) -> None:
    """Read, pause, write back + 1: a lost update shows two holders at once."""
    lock = DatabaseLock(_engine(folder), "autost-test")
    counter = folder / "counter"
    for _ in range(ROUNDS):
        with lock.held():
            value = int(counter.read_text())
            time.sleep(0.001)
            counter.write_text(str(value + 1))


def test_the_lock_file_is_gone_after_the_lock_is_released(tmp_path):
    lock = DatabaseLock(_engine(tmp_path), "autost-test")
    with lock.held():
        assert (tmp_path / "a.db-autost.lock").is_file()
    assert list(tmp_path.iterdir()) == []


def test_processes_hold_it_one_at_a_time_though_each_deletes_the_file(tmp_path):
    (tmp_path / "counter").write_text("0")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_count_under_the_lock, args=(tmp_path,))
               for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert int((tmp_path / "counter").read_text()) == PROCESSES * ROUNDS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter"]


def test_a_file_left_by_a_killed_holder_is_taken_and_deleted(tmp_path):
    stale = tmp_path / "a.db-autost.lock"
    stale.write_text("")
    os.utime(stale, (0, 0))
    with DatabaseLock(_engine(tmp_path), "autost-test").held():
        pass
    assert not stale.exists()
