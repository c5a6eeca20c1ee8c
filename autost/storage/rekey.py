"""Re-key stored rows under the arch_ids of today's canonical ArchConfig form.

An arch_id is the SHA-256 of an ArchConfig's canonical JSON. Schema version 2 changed that
form: settings that leave the built network unchanged (the heads of a conv mixer, the
attention settings of a model without attention) are None, so one network stored earlier
under several arch_ids now has one. :func:`rekey_arch_ids` reads every stored candidate's
JSON with today's ArchConfig and moves its rows to the new id; where two rows then coincide
the older one stays (the first writer wins, as for every score). The tables are named here
as they were at version 1, never through the current models.
"""

from __future__ import annotations

import sqlalchemy as sa

from autost.arch import ArchConfig
from autost.exceptions import ArchValidationError
from autost.storage.optuna_tables import ARCH_ID_ATTR, rename_attr_values

_CANDIDATES = sa.table("autost_candidates", sa.column("arch_id"), sa.column("arch_json"),
                       sa.column("created_at"))
_SCORES = sa.table("autost_scores", sa.column("arch_id"), sa.column("settings_key"),
                   sa.column("created_at"))
_TRAININGS = sa.table("autost_trainings", sa.column("arch_id"))


def rekey_arch_ids(connection) -> dict[str, str]:
    """Move every row to the canonical arch_id of its candidate; return {old: new}.

    Candidates whose JSON today's ArchConfig rejects keep their id. Runs inside the caller's
    transaction (the schema upgrade's).
    """
    rows = connection.execute(
        sa.select(_CANDIDATES.c.arch_id, _CANDIDATES.c.arch_json)
        .order_by(_CANDIDATES.c.created_at, _CANDIDATES.c.arch_id)).all()
    present = {arch_id for arch_id, _ in rows}
    moved = {}
    for old, text in rows:
        try:
            cfg = ArchConfig.from_json(text)
        except ArchValidationError:
            continue
        new = cfg.arch_id
        if new == old:
            continue
        moved[old] = new
        where = _CANDIDATES.c.arch_id == old
        if new in present:
            connection.execute(_CANDIDATES.delete().where(where))
        else:
            connection.execute(_CANDIDATES.update().where(where)
                               .values(arch_id=new, arch_json=cfg.to_json()))
            present.add(new)
        present.discard(old)
        _move_scores(connection, old, new)
        connection.execute(_TRAININGS.update().where(_TRAININGS.c.arch_id == old)
                           .values(arch_id=new))
    rename_attr_values(connection, ARCH_ID_ATTR, moved)  # the trials' user attr arch_id
    return moved


def _move_scores(connection, old: str, new: str) -> None:
    """Move the scores of ``old`` to ``new``; per settings key the older row stays."""
    s = _SCORES.c
    kept = dict(connection.execute(
        sa.select(s.settings_key, s.created_at).where(s.arch_id == new)).all())
    for key, created in connection.execute(
            sa.select(s.settings_key, s.created_at).where(s.arch_id == old)).all():
        row = (s.arch_id == old) & (s.settings_key == key)
        if key in kept and kept[key] <= created:
            connection.execute(_SCORES.delete().where(row))
            continue
        if key in kept:
            newer = (s.arch_id == new) & (s.settings_key == key)
            connection.execute(_SCORES.delete().where(newer))
        connection.execute(_SCORES.update().where(row).values(arch_id=new))
