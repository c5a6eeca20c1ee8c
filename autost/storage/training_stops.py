"""How far a training ran and why it stopped, stored beside its epoch budget.

ASHA (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020) stops
a trial that trails its rung, so a training asked for 3 epochs may end after 1 with status
``ok``. Its accuracy is then that of 1 epoch of a 3-epoch schedule: neither a 3-epoch
accuracy nor a 1-epoch one, which is why readers that compare budgets (``autost
calibrate``) need both numbers.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from autost.storage.models import PREFIX

COMPLETED, ASHA, ERROR = "completed", "asha", "error"
STOP_REASONS = (COMPLETED, ASHA, ERROR)


def stop_of(status: str, epochs: int, epochs_run: int) -> str:
    """The stop reason of a training with this status that ran ``epochs_run`` of ``epochs``."""
    if status != "ok":
        return ERROR
    return COMPLETED if epochs_run >= epochs else ASHA


def ran_its_budget(row) -> bool:
    """Whether a stored training ran every epoch it was asked for (rows from before the
    epochs run were stored count as having run them)."""
    return row.epochs_run is None or row.epochs_run >= row.epochs


def backfill_stops(connection) -> None:
    """Fill ``epochs_run`` and ``stop_reason`` of every training from its history, one row
    per epoch reported; rows without a history keep None."""
    table = sa.table(PREFIX + "trainings", sa.column("id"), sa.column("epochs"),
                     sa.column("status"), sa.column("history"), sa.column("epochs_run"),
                     sa.column("stop_reason"))
    rows = connection.execute(sa.select(table.c.id, table.c.epochs, table.c.status,
                                        table.c.history)).all()
    for row_id, epochs, status, history in rows:
        if isinstance(history, str):  # SQLite returns a JSON column read through sa.column
            history = json.loads(history)
        if not history:
            continue
        connection.execute(table.update().where(table.c.id == row_id).values(
            epochs_run=len(history), stop_reason=stop_of(status, epochs, len(history))))
