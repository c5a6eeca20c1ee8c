"""One stored score set per architecture and score settings, completed proxy by proxy.

A score set is keyed by ``(arch_id, ScoreSettings.key())`` alone: whatever proxies a search,
a fidelity study or a calibration asks for, they read the one set and score only the proxies
it lacks, which are then added to it (:func:`complete_scores`). A rerun therefore reuses
every stored value, and a proxy registered since is computed without recomputing the others.
Two score sets of one architecture and settings merge by :func:`merge_score_sets`.

Before schema version 7 the search keyed its sets by the settings and the proxies it
computed (``KEY;energy+flops+params``) and never added to them;
:func:`merge_proxy_keyed_sets` moves such rows into the one set of their settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from autost.storage.optuna_tables import SETTINGS_KEY_ATTR, rename_attr_values, trial_attr_values

# The separator of the proxy list in the score-set keys written before schema version 7.
_PROXY_LIST = ";"
_SCORES = sa.table("autost_scores", sa.column("arch_id"), sa.column("settings_key"),
                   sa.column("values", sa.JSON), sa.column("rate_source"),
                   sa.column("layers", sa.JSON), sa.column("flags", sa.JSON),
                   sa.column("created_at"))
_CLAIMS = sa.table("autost_claims", sa.column("settings_key"))


def merge_score_sets(first: Mapping, then: Mapping) -> dict:
    """The fields (values, rate_source, layers, flags) of one set made of two.

    Every value of either, the first's where both have one (first writer wins, as for whole
    sets); the per-layer rows of the one that says more about each layer (the rows gain
    rates and energy shares once energy is computed, input rates once the rate pass ran: the
    same settings give the same figures), with its rate source and flags.
    """
    detailed = then if _detail(then) > _detail(first) else first
    return {"values": {**then["values"], **first["values"]},
            "rate_source": detailed["rate_source"], "layers": detailed["layers"],
            "flags": detailed["flags"]}


def _detail(score_set: Mapping) -> int:
    return sum(len(row) for row in score_set["layers"])


def lacking(stored, proxies: Sequence[str]) -> list[str]:
    """The proxies of ``proxies`` that the StoredScores ``stored`` (None: none) has no value of."""
    return [p for p in proxies if stored is None or p not in stored.values]


def complete_scores(storage, cfg, proxies: Sequence[str], settings
                    ) -> tuple[dict[str, float], list[str]]:
    """(values, proxies scored now) of ``cfg``: its stored set under ``settings``, with the
    proxies it lacked scored and added. Raises what score_architecture raises."""
    from autost.proxies import score_architecture

    key = settings.key()
    stored = storage.get_scores(cfg.arch_id, key)
    missing = lacking(stored, proxies)
    if not missing:
        return stored.values, []
    result = score_architecture(cfg, missing, settings)
    return storage.put_scores(cfg.arch_id, key, result).values, missing


def merge_proxy_keyed_sets(connection) -> int:
    """Move every score set keyed ``KEY;PROXIES`` into the set ``KEY`` of its architecture
    (merged, oldest first; the oldest set's time stays), point the trials' ``settings_key``
    at ``KEY``, and drop claims under the old keys. Return how many old sets were moved.

    Runs inside the caller's transaction (the schema upgrade's).
    """
    s = _SCORES.c
    old_keys = s.settings_key.contains(_PROXY_LIST, autoescape=True)
    old = connection.execute(sa.select(s.arch_id, s.settings_key).where(old_keys)).all()
    targets = {(arch_id, key.partition(_PROXY_LIST)[0]) for arch_id, key in old}
    for arch_id, key in sorted(targets):
        rows = connection.execute(
            sa.select(_SCORES).where(s.arch_id == arch_id, (s.settings_key == key) | (
                s.settings_key.startswith(key + _PROXY_LIST, autoescape=True)))
            .order_by(s.created_at, s.settings_key)).mappings().all()
        merged = dict(rows[0])
        for row in rows[1:]:
            merged.update(merge_score_sets(merged, row))
        connection.execute(_SCORES.delete().where(
            s.arch_id == arch_id, s.settings_key.in_([r["settings_key"] for r in rows])))
        connection.execute(_SCORES.insert().values(merged | {"settings_key": key}))
    connection.execute(_CLAIMS.delete().where(
        _CLAIMS.c.settings_key.contains(_PROXY_LIST, autoescape=True)))
    rename_attr_values(connection, SETTINGS_KEY_ATTR, {
        key: key.partition(_PROXY_LIST)[0]
        for key in trial_attr_values(connection, SETTINGS_KEY_ATTR)
        if isinstance(key, str) and _PROXY_LIST in key})
    return len(old)
