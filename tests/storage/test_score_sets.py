"""One score set per architecture and settings: completed proxy by proxy, and schema
version 7 merging the sets the search keyed by its proxy list into it.

The version-6 database is made as autost before version 7 wrote it: score sets of the search
under ``KEY;PROXIES`` (never added to), the scatter's set under ``KEY`` (completed in place),
a claim under an old key, and an Optuna study whose trials point at the old keys.
"""

import types

import optuna
import sqlalchemy as sa

from autost.arch import ArchConfig, BlockConfig
from autost.proxies import ScoreSettings
from autost.storage import open_storage, study_record, trial_rows
from autost.storage.models import Claim
from autost.storage.score_sets import complete_scores, lacking, merge_score_sets

KEY = ScoreSettings(rates="prior").key()
OTHER = ScoreSettings(rates="init").key()
A, B, C = "a" * 64, "b" * 64, "c" * 64
LAYER = {"name": "blocks.0.attn", "macs_total": 12.0}
RATED = LAYER | {"rate": 0.25, "sops": 3.0}


def _set(values, rate_source="prior", layers=(RATED,), flags=()):
    return types.SimpleNamespace(values=values, rate_source=rate_source, layers=list(layers),
                                 flags=list(flags))


def _version_6_rows(storage, write_study) -> None:
    storage.put_scores(A, f"{KEY};energy+flops", _set({"flops": 1.0, "energy": 2.0},
                                                      flags=["blocks.0 silent"]))
    storage.put_scores(A, KEY, _set({"flops": 5.0, "zico": 7.0}, "none", [LAYER]))
    storage.put_scores(A, f"{KEY};flops", _set({"flops": 6.0}, "none", [LAYER]))
    storage.put_scores(B, f"{KEY};flops", _set({"flops": 8.0}))
    storage.put_scores(C, OTHER, _set({"flops": 9.0}))
    with storage.engine.begin() as connection:
        connection.execute(sa.insert(Claim).values(arch_id=B, settings_key=f"{KEY};flops",
                                                   owner="old", claimed_at=0.0))
        connection.execute(sa.insert(Claim).values(arch_id=C, settings_key=OTHER,
                                                   owner="new", claimed_at=0.0))
    write_study(storage, "old", [{"arch_id": arch_id, "settings_key": key} for arch_id, key
                                 in ((A, f"{KEY};energy+flops"), (B, f"{KEY};flops"), (C, OTHER))])


def test_version_7_merges_the_sets_of_one_settings_key_oldest_first(upgraded, write_study):
    storage = upgraded(6, lambda old: _version_6_rows(old, write_study))
    with storage.engine.connect() as connection:
        claims = connection.execute(sa.select(Claim.arch_id, Claim.settings_key)).all()
    [a] = storage.all_scores(A)
    assert (a.settings_key, a.values) == (KEY, {"flops": 1.0, "energy": 2.0, "zico": 7.0})
    assert (a.rate_source, a.layers, a.flags) == ("prior", [RATED], ["blocks.0 silent"])
    [b] = storage.all_scores(B)
    assert (b.settings_key, b.values) == (KEY, {"flops": 8.0})
    [c] = storage.all_scores(C)
    assert (c.settings_key, c.values) == (OTHER, {"flops": 9.0})
    assert claims == [(C, OTHER)]
    trials = optuna.load_study(study_name="old", storage=storage.optuna_storage()).trials
    assert [t.user_attrs["settings_key"] for t in trials] == [KEY, KEY, OTHER]
    rows = trial_rows(storage, study_record(storage, "old"))
    assert [r.scores for r in rows] == [a.values, b.values, c.values]
    storage.close()


def test_merge_keeps_first_values_and_the_most_detailed_layers():
    first = {"values": {"flops": 1.0}, "rate_source": "none", "layers": [LAYER], "flags": []}
    then = {"values": {"flops": 2.0, "sops": 3.0}, "rate_source": "init", "layers": [RATED],
            "flags": ["x"]}
    assert merge_score_sets(first, then) == {
        "values": {"flops": 1.0, "sops": 3.0}, "rate_source": "init", "layers": [RATED],
        "flags": ["x"]}
    assert merge_score_sets(then, first) == then | {"values": {"flops": 2.0, "sops": 3.0}}


def test_a_proxy_added_later_is_scored_alone(tmp_path, monkeypatch):
    import autost.proxies

    cfg = ArchConfig(blocks=(BlockConfig("ssa", heads=2, mlp_ratio=2),), embed_dim=32,
                     input_size=16, timesteps=1)
    settings = ScoreSettings(rates="prior", batch_size=4)
    storage = open_storage(f"sqlite:///{tmp_path / 'a.db'}")
    asked, real = [], autost.proxies.score_architecture
    monkeypatch.setattr(autost.proxies, "score_architecture",
                        lambda c, proxies, s: asked.append(list(proxies)) or real(c, proxies, s))
    first, scored = complete_scores(storage, cfg, ["flops", "energy"], settings)
    assert scored == ["flops", "energy"] and lacking(None, ["flops"]) == ["flops"]
    again, scored = complete_scores(storage, cfg, ["energy", "flops"], settings)
    assert again == first and scored == []
    more, scored = complete_scores(storage, cfg, ["flops", "synflow", "energy"], settings)
    assert scored == ["synflow"] and more == first | {"synflow": more["synflow"]}
    assert asked == [["flops", "energy"], ["synflow"]]
    assert [s.settings_key for s in storage.all_scores(cfg.arch_id)] == [settings.key()]
    storage.close()
