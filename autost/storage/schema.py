"""Schema version of the autost tables and the path that upgrades an older database.

``MIGRATIONS[v]`` turns a version ``v - 1`` database into version ``v`` with alembic
operations (explicit DDL, never the current models, so an old step stays right after the
models change). :func:`upgrade` applies the missing steps in order inside one transaction
that holds a lock, so two processes opening a fresh database do not both create tables,
and a failing step leaves the database as it was. Version 0 means no autost tables.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from autost.exceptions import StorageError
from autost.storage.models import PREFIX, Meta

VERSION_KEY = "schema_version"
_PG_LOCK_ID = 0x6175746F7374  # "autost": pg_advisory_xact_lock key


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


def _v4_predictors(op) -> None:
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


MIGRATIONS: dict[int, Callable] = {1: _v1_initial_tables, 2: _v2_canonical_arch_ids,
                                   3: _v3_training_settings_key, 4: _v4_predictors}
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
    with engine.connect() as connection:
        connection.execution_options(autost_write_lock=True)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
            found = read_version(connection)  # another process may have upgraded meanwhile
            _check_not_newer(found, masked_url)
            _apply(connection, found)
    return found


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
