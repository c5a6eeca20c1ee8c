"""Schema version and upgrade path of the autost tables."""

import optuna
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import StorageError
from autost.storage import SCHEMA_VERSION, open_storage, schema
from autost.storage._url import parse_url, render
from autost.storage.models import Base

CFG = ArchConfig(blocks=(BlockConfig(),))


def _version(storage) -> int:
    with storage.engine.connect() as connection:
        return schema.read_version(connection)


def test_migrations_build_exactly_the_models(url):
    storage = open_storage(url)
    assert _version(storage) == SCHEMA_VERSION
    with storage.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    storage.close()


def test_database_with_only_optuna_tables_is_version_0_and_upgraded(url):
    rdb = optuna.storages.RDBStorage(render(parse_url(url), hide_password=False))
    optuna.create_study(study_name="old", storage=rdb)
    rdb.engine.dispose()
    storage = open_storage(url)
    assert _version(storage) == SCHEMA_VERSION
    assert optuna.get_all_study_names(storage.optuna_storage()) == ["old"]
    storage.close()


def _add_note(op):
    op.add_column("autost_candidates", sa.Column("note", sa.String(64)))


def test_older_database_is_upgraded_in_order_keeping_rows(url, monkeypatch):
    storage = open_storage(url)
    storage.add_candidate(CFG, "s")
    storage.close()
    applied, now = [], SCHEMA_VERSION
    monkeypatch.setitem(schema.MIGRATIONS, now + 1,
                        lambda op: (applied.append(now + 1), _add_note(op)))
    monkeypatch.setitem(schema.MIGRATIONS, now + 2, lambda op: applied.append(now + 2))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", now + 2)
    storage = open_storage(url)
    assert applied == [now + 1, now + 2] and _version(storage) == now + 2
    columns = {c["name"] for c in sa.inspect(storage.engine).get_columns("autost_candidates")}
    assert "note" in columns
    assert storage.get_candidate(CFG.arch_id) == CFG
    storage.close()


def test_failing_migration_leaves_database_unchanged(url, monkeypatch):
    open_storage(url).close()

    def broken(op):
        _add_note(op)
        raise RuntimeError("the next step failed")

    monkeypatch.setitem(schema.MIGRATIONS, SCHEMA_VERSION + 1, broken)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="the next step failed"):
        open_storage(url)
    monkeypatch.undo()
    storage = open_storage(url)
    assert _version(storage) == SCHEMA_VERSION
    columns = {c["name"] for c in sa.inspect(storage.engine).get_columns("autost_candidates")}
    assert "note" not in columns
    storage.close()


def test_newer_database_is_refused(url, monkeypatch):
    open_storage(url).close()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 0)
    with pytest.raises(StorageError,
                       match=f"schema version {SCHEMA_VERSION}, newer than this autost"):
        open_storage(url)


def test_version_2_trainings_gain_an_empty_settings_key(upgraded):
    def fill(old):
        with old.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO autost_trainings (arch_id, dataset, epochs, seed, status, "
                "accuracy, created_at) VALUES ('a', 'digits', 4, 0, 'ok', 91.5, "
                "CURRENT_TIMESTAMP)"))

    [row] = upgraded(2, fill).trainings()
    assert (row.arch_id, row.accuracy, row.settings_key) == ("a", 91.5, None)


def test_version_7_trainings_get_their_epochs_run_and_stop_reason_from_history(upgraded):
    def fill(old):
        rows = [("ok", 3, '[{"epoch": 1}, {"epoch": 2}, {"epoch": 3}]'),
                ("ok", 3, '[{"epoch": 1}]'), ("failed", 3, '[{"epoch": 1}]'),
                ("ok", 3, None)]
        with old.engine.begin() as connection:
            for status, epochs, history in rows:
                connection.execute(sa.text(
                    "INSERT INTO autost_trainings (arch_id, dataset, epochs, seed, status, "
                    "history, created_at) VALUES ('a', 'digits', :epochs, 0, :status, "
                    ":history, CURRENT_TIMESTAMP)"),
                    {"epochs": epochs, "status": status, "history": history})

    rows = upgraded(7, fill).trainings()
    assert [(r.status, r.epochs, r.epochs_run, r.stop_reason) for r in rows] == [
        ("ok", 3, 3, "completed"), ("ok", 3, 1, "asha"), ("failed", 3, 1, "error"),
        ("ok", 3, None, None)]


def _without(table: str, version: int):
    """A fill that checks a database of ``version`` has no ``table`` and stores CFG."""
    def fill(old):
        assert _version(old) == version
        assert not sa.inspect(old.engine).has_table(table)
        old.add_candidate(CFG, "s")
    return fill


def test_version_3_database_gets_the_jobs_table(upgraded):
    storage = upgraded(3, _without("autost_jobs", 3))
    assert sa.inspect(storage.engine).has_table("autost_jobs")


def test_version_4_database_gets_the_claims_table_keeping_its_rows(upgraded):
    storage = upgraded(4, _without("autost_claims", 4))  # an autost from before claims
    assert storage.get_candidate(CFG.arch_id) == CFG
    columns = [c["name"] for c in sa.inspect(storage.engine).get_columns("autost_claims")]
    assert columns == ["arch_id", "settings_key", "owner", "claimed_at"]


def test_version_5_database_gains_the_predictors_table_keeping_rows(upgraded):
    storage = upgraded(5, _without("autost_predictors", 5))
    assert storage.get_candidate(CFG.arch_id) == CFG
    assert storage.predictor_names() == []
