"""Processes writing the same rows into a fresh database: one row each, no errors; processes
creating autost's and Optuna's tables at once."""

import multiprocessing
import types

import pytest
import sqlalchemy as sa

from autost.storage import open_storage
from autost.storage.models import Candidate, Meta, Score

N_ARCHS = 15
N_OPENERS = 4


def _writer(url: str, barrier) -> None:
    from autost.arch import ArchConfig, BlockConfig

    barrier.wait()  # both processes create the schema of the fresh database at once
    storage = open_storage(url)
    for i in range(N_ARCHS):
        cfg = ArchConfig(blocks=(BlockConfig(),) * (1 + i % 4), embed_dim=64 + 8 * i)
        storage.add_candidate(cfg, "s")
        result = types.SimpleNamespace(values={"params": float(i)}, rate_source="init",
                                       layers=[], flags=[])
        storage.put_scores(cfg.arch_id, "k", result)
        storage.record_run("s", "s", {"i": i}, seed=i)
    storage.close()


def _opener(url: str, barrier) -> None:
    barrier.wait()  # every process opens the fresh database at once
    storage = open_storage(url)
    storage.optuna_storage()  # Optuna creates its tables in RDBStorage's constructor
    storage.close()


def _url(backend, tmp_path, request) -> str:
    return (f"sqlite:///{tmp_path / 'race.db'}" if backend == "sqlite"
            else request.getfixturevalue("postgres_url"))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_processes_opening_a_fresh_database_at_once_create_each_table_once(
        backend, tmp_path, request):
    import optuna

    url = _url(backend, tmp_path, request)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(N_OPENERS)
    openers = [ctx.Process(target=_opener, args=(url, barrier)) for _ in range(N_OPENERS)]
    for p in openers:
        p.start()
    for p in openers:
        p.join(timeout=120)
    assert [p.exitcode for p in openers] == [0] * N_OPENERS
    study = optuna.create_study(study_name="s", storage=url)  # Optuna's tables work
    assert study.study_name == "s" and optuna.get_all_study_names(url) == ["s"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_two_processes_insert_the_same_candidates_once(backend, tmp_path, request):
    url = _url(backend, tmp_path, request)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_writer, args=(url, barrier)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    storage = open_storage(url)
    with storage.engine.connect() as connection:
        def count(model):
            return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar()

        assert count(Candidate) == N_ARCHS and count(Score) == N_ARCHS and count(Meta) == 1
    assert len(storage.runs("s")) == 2 * N_ARCHS
    storage.close()
