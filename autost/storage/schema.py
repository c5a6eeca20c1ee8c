"""Schema version of the autost tables and the path that upgrades an older database.

``MIGRATIONS[v]`` turns a version ``v - 1`` database into version ``v`` with alembic
operations (explicit DDL, never the current models, so an old step stays right after the
models change). :func:`upgrade` applies the missing steps in order inside one transaction,
under :func:`schema_lock`, so two processes opening a fresh database do not both create
tables, and a failing step leaves the database as it was. Version 0 means no autost tables.

Optuna's own table creation (in RDBStorage's constructor) runs under the same lock (see
autost.storage.storage): two processes creating those tables at once fail on PostgreSQL
(``UniqueViolation`` on the type ``studydirection``) and on SQLite (``table trials already
exists``, a duplicate ``alembic_version`` row), because Optuna checks for each table and
then creates it outside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from autost.exceptions import StorageError
from autost.storage.lock import DatabaseLock
from autost.storage.models import PREFIX, Meta

VERSION_KEY = "schema_version"


def _v1_initial_tables(op) -> None:
    """Runs, candidates, scores and trainings."""
    now = sa.DateTime(timezone=True)
    op.create_table(
        PREFIX + "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("study_name", sa.String(512), nullable=False, index=True),
        sa.Column("space", sa.String(512), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("created_at", now, nullable=False),
    )
    op.create_table(
        PREFIX + "candidates",
        sa.Column("arch_id", sa.String(64), primary_key=True),
        sa.Column("arch_json", sa.Text, nullable=False),
        sa.Column("space", sa.String(512), nullable=False),
        sa.Column("created_at", now, nullable=False),
    )
    op.create_table(
        PREFIX + "scores",
        sa.Column("arch_id", sa.String(64), primary_key=True),
        sa.Column("settings_key", sa.String(255), primary_key=True),
        sa.Column("values", sa.JSON, nullable=False),
        sa.Column("rate_source", sa.String(32), nullable=False),
        sa.Column("layers", sa.JSON, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("created_at", now, nullable=False),
    )
    op.create_table(
        PREFIX + "trainings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("arch_id", sa.String(64), nullable=False, index=True),
        sa.Column("study_name", sa.String(512), index=True),
        sa.Column("trial_number", sa.Integer),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("epochs", sa.Integer, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("accuracy", sa.Float),
        sa.Column("history", sa.JSON),
        sa.Column("rates", sa.JSON),
        sa.Column("energy_mj", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("created_at", now, nullable=False),
    )


def _v2_canonical_arch_ids(op) -> None:
    """Re-key rows under arch_ids whose canonical form drops inert settings (one network,
    one arch_id); see :mod:`autost.storage.rekey`."""
    from autost.storage.rekey import rekey_arch_ids

    rekey_arch_ids(op.get_bind())


def _v3_training_settings_key(op) -> None:
    """The full recipe of a training (TrainSettings.key()), so a rerun reuses only trainings
    made with the same learning rate, batch size and training subset; older rows have none
    and are never reused."""
    op.add_column(PREFIX + "trainings", sa.Column("settings_key", sa.String(255)))


def _v4_jobs(op) -> None:
    """The job queue of ``autost serve``."""
    now = sa.DateTime(timezone=True)
    op.create_table(
        PREFIX + "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("study_name", sa.String(512), nullable=False, index=True),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("submitted_by", sa.String(255), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("log_tail", sa.Text, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.Text),
        sa.Column("created_at", now, nullable=False),
        sa.Column("started_at", now),
        sa.Column("finished_at", now),
    )


def _v5_claims(op) -> None:
    """Claims on architectures being scored, so that processes score each one once."""
    op.create_table(
        PREFIX + "claims",
        sa.Column("arch_id", sa.String(64), primary_key=True),
        sa.Column("settings_key", sa.String(255), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("claimed_at", sa.Float, nullable=False),
    )


def _v6_predictors(op) -> None:
    """Supervised proxy combinations fitted by `autost calibrate`."""
    op.create_table(
        PREFIX + "predictors",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("model", sa.JSON, nullable=False),
        sa.Column("cv_kendall_tau", sa.Float, nullable=False),
        sa.Column("n_trainings", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def _v7_one_score_set_per_settings(op) -> None:
    """Score sets keyed by the settings alone (the search keyed them by settings and
    proxies); see :mod:`autost.storage.score_sets`."""
    from autost.storage.score_sets import merge_proxy_keyed_sets

    merge_proxy_keyed_sets(op.get_bind())


def _v8_job_leases(op) -> None:
    """The server that runs a job and its last heartbeat, so that a server recovers only
    the jobs of servers that are gone (see :mod:`autost.storage.jobs`)."""
    op.add_column(PREFIX + "jobs", sa.Column("server_host", sa.String(255)))
    op.add_column(PREFIX + "jobs", sa.Column("server_pid", sa.Integer))
    op.add_column(PREFIX + "jobs", sa.Column("server_beat", sa.Float))


def _v9_training_epochs_run(op) -> None:
    """The epochs a training ran and why it stopped (a training stopped by ASHA after 1 of 3
    epochs was stored as a 3-epoch one); older rows get both from their per-epoch history
    (see :func:`autost.storage.training_stops.backfill_stops`)."""
    from autost.storage.training_stops import backfill_stops

    op.add_column(PREFIX + "trainings", sa.Column("epochs_run", sa.Integer))
    op.add_column(PREFIX + "trainings", sa.Column("stop_reason", sa.String(16)))
    backfill_stops(op.get_bind())


MIGRATIONS: dict[int, Callable] = {1: _v1_initial_tables, 2: _v2_canonical_arch_ids,
                                   3: _v3_training_settings_key, 4: _v4_jobs, 5: _v5_claims,
                                   6: _v6_predictors, 7: _v7_one_score_set_per_settings,
                                   8: _v8_job_leases, 9: _v9_training_epochs_run}
SCHEMA_VERSION = max(MIGRATIONS)


def read_version(connection) -> int:
    """The schema version stored in ``autost_meta`` (0 when the table does not exist)."""
    if not sa.inspect(connection).has_table(Meta.__tablename__):
        return 0
    row = connection.execute(
        sa.select(Meta.value).where(Meta.key == VERSION_KEY)
    ).scalar_one_or_none()
    return int(row) if row is not None else 0


def upgrade(engine, masked_url: str) -> int:
    """Bring the autost tables to :data:`SCHEMA_VERSION`; return the version found before."""
    with engine.connect() as connection:
        found = read_version(connection)
        connection.rollback()
    _check_not_newer(found, masked_url)
    if found == SCHEMA_VERSION:
        return found
    lock = schema_lock(engine)
    try:
        with lock.held(), engine.connect() as connection:
            connection.execution_options(autost_write_lock=True)
            with connection.begin():
                found = read_version(connection)  # another process may have upgraded meanwhile
                _check_not_newer(found, masked_url)
                _apply(connection, found)
    finally:
        lock.close()
    return found


def schema_lock(engine) -> DatabaseLock:
    """The lock that every process holds while it creates or upgrades tables (autost's and
    Optuna's) in the database of ``engine``."""
    return DatabaseLock(engine, "autost-schema")


def _apply(connection, found: int) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    if found == SCHEMA_VERSION:
        return
    op = Operations(MigrationContext.configure(connection))
    if found == 0:
        Meta.__table__.create(connection)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](op)
    table = Meta.__table__
    connection.execute(table.delete().where(table.c.key == VERSION_KEY))
    connection.execute(table.insert().values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))


def _check_not_newer(found: int, masked_url: str) -> None:
    if found > SCHEMA_VERSION:
        raise StorageError(
            f"storage {masked_url} has autost schema version {found}, newer than this autost "
            f"understands ({SCHEMA_VERSION}); upgrade autost (pip install -U autost)"
        )
