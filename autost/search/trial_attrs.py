"""Write a trial's (or a study's) user attrs in one transaction, and count COMPLETE trials.

Optuna commits every ``set_user_attr`` and ``set_constraint`` on its own (a read and a write
for a constraint); with three user attrs and a constraint or two per candidate that was a
quarter of the search loop on SQLite. The rows written here are exactly Optuna's: JSON in
``value_json`` of ``trial_user_attributes`` and, for a constraint, of
``trial_system_attributes`` under ``constraints:NAME`` (what ``trial.set_constraint``
writes and ``FrozenTrial.constraints`` reads). A study's settings go into
``study_user_attributes`` in one transaction too, so a worker that joins a study being
created sees either none of them or all. These tables are Optuna's stored format, which its
schema migrations keep stable.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from autost.storage._url import dialect_insert

CONSTRAINT_PREFIX = "constraints:"
_USER = sa.table("trial_user_attributes", sa.column("trial_id"), sa.column("key"),
                 sa.column("value_json"))
_SYSTEM = sa.table("trial_system_attributes", sa.column("trial_id"), sa.column("key"),
                   sa.column("value_json"))
_STUDY_USER = sa.table("study_user_attributes", sa.column("study_id"), sa.column("key"),
                      sa.column("value_json"))
_TRIALS = sa.table("trials", sa.column("study_id"), sa.column("state"))


def write_attrs(engine, trial_id: int, user: dict, constraints: dict[str, float]) -> None:
    """Upsert user attrs and constraint values of one running trial, in one transaction."""
    rows = [(_USER, key, value) for key, value in user.items()]
    rows += [(_SYSTEM, CONSTRAINT_PREFIX + key, float(v)) for key, v in constraints.items()]
    _upsert(engine, "trial_id", trial_id, rows)


def write_study_attrs(engine, study_id: int, attrs: dict) -> None:
    """Upsert user attrs of one study, in one transaction."""
    _upsert(engine, "study_id", study_id, [(_STUDY_USER, key, v) for key, v in attrs.items()])


def _upsert(engine, id_column: str, owner_id: int, rows) -> None:
    """Write (table, key, value) rows of one trial or study; a key present is overwritten."""
    if not rows:
        return
    insert = dialect_insert(engine)
    with engine.begin() as connection:
        for table, key, value in rows:
            stmt = insert(table).values(**{id_column: owner_id}, key=key,
                                        value_json=json.dumps(value))
            connection.execute(stmt.on_conflict_do_update(
                index_elements=[id_column, "key"],
                set_={"value_json": stmt.excluded.value_json}))


def count_complete(engine, study_id: int) -> int:
    """COMPLETE trials of the study, counted by the database (one cheap query)."""
    query = sa.select(sa.func.count()).select_from(_TRIALS).where(
        _TRIALS.c.study_id == study_id,
        sa.cast(_TRIALS.c.state, sa.String) == "COMPLETE")  # an enum type in PostgreSQL
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())
