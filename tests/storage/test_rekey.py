"""Schema version 2 re-keys a version-1 database: one network, one arch_id.

The version-1 database is made as autost before version 2 wrote it: the real version-1
tables, candidate rows holding the JSON and arch_id the old canonical form gave (the two
literal rows below are what it wrote for the issue's L2 D192 conv network of the stmixer
space, heads 4 and heads 16), scores and trainings written under those ids, and an Optuna
study whose trials carry them.
"""

import json
import types

import optuna
import sqlalchemy as sa

from autost.arch import ArchConfig, BlockConfig
from autost.storage import open_storage, schema, study_record, trial_rows

OLD_JSON = (
    '{"attention_order":"qk_v","attention_scale":0.125,"attention_v_threshold":0.5,'
    '"blocks":[{"channel_experts":null,"channel_mixer":"mlp","heads":HEADS,"mlp_ratio":2.0,'
    '"token_experts":null,"token_mixer":"conv"},{"channel_experts":null,"channel_mixer":'
    '"mlp","heads":HEADS,"mlp_ratio":2.0,"token_experts":null,"token_mixer":"conv"}],'
    '"embed_dim":192,"in_channels":3,"input_size":32,"linear_bias":false,"mask_ratio":0.0,'
    '"num_classes":100,"patch_size":4,"patch_splitter":"ipsps","qkv_bias":false,'
    '"residual":"ms","stage_depths":[],"surrogate_alpha":4.0,"tau":2.0,"timesteps":1,'
    '"v_threshold":1.0}'
)
OLD_4 = "3fb9312d11e35fc38251d7f42c95cd45844b2b7798f055ab31b05d33c35994ca"
OLD_16 = "3ce8eb45c54aa23cc42069bc07e3c82cdc71cc508d8fb12cc8db714a403fe3d9"
NEW = "cb0c6651b699d1668d59bf57fc7ebdb5c52aecf24c3064bd5178870342b7905f"
# An attention model: its canonical form did not change, nor does its id.
SSA = ArchConfig(blocks=(BlockConfig("ssa", "mlp", heads=4, mlp_ratio=4),), embed_dim=64)
KEY, OTHER_KEY = "rates=prior", "rates=init,dataset=digits,batch=16,seed=0"


def _scores(flops: float):
    return types.SimpleNamespace(values={"flops": flops}, rate_source="prior", layers=[],
                                 flags=[])


def _version_1_rows(storage, write_study) -> None:
    candidates = sa.table("autost_candidates", sa.column("arch_id"), sa.column("arch_json"),
                          sa.column("space"), sa.column("created_at"))
    with storage.engine.begin() as connection:
        for arch_id, heads in ((OLD_4, 4), (OLD_16, 16)):
            connection.execute(candidates.insert().values(
                arch_id=arch_id, arch_json=OLD_JSON.replace("HEADS", str(heads)),
                space="stmixer", created_at=sa.func.now()))
    storage.add_candidate(SSA, "stmixer")
    storage.put_scores(OLD_4, KEY, _scores(1.0))      # first written: kept
    storage.put_scores(OLD_16, KEY, _scores(2.0))
    storage.put_scores(OLD_16, OTHER_KEY, _scores(3.0))
    storage.put_scores(SSA.arch_id, KEY, _scores(4.0))
    trainings = sa.table("autost_trainings", *map(sa.column, (
        "arch_id", "dataset", "epochs", "seed", "status", "accuracy", "study_name",
        "created_at")))
    with storage.engine.begin() as connection:  # the version-1 columns only
        for arch_id, accuracy in ((OLD_4, 50.0), (OLD_16, 60.0), (SSA.arch_id, 70.0)):
            connection.execute(trainings.insert().values(
                arch_id=arch_id, dataset="digits", epochs=1, seed=0, status="ok",
                accuracy=accuracy, study_name="old", created_at=sa.func.now()))
    write_study(storage, "old", [{"arch_id": arch_id, "settings_key": KEY}
                                 for arch_id in (OLD_4, OLD_16, SSA.arch_id)])


def test_the_old_rows_are_what_the_old_form_gave():
    import hashlib

    for arch_id, heads in ((OLD_4, 4), (OLD_16, 16)):
        text = OLD_JSON.replace("HEADS", str(heads))
        assert hashlib.sha256(text.encode()).hexdigest() == arch_id
        assert ArchConfig.from_json(text).arch_id == NEW


def test_upgrade_moves_rows_to_one_arch_id_and_merges_duplicates(upgraded, write_study):
    storage = upgraded(1, lambda old: _version_1_rows(old, write_study))
    with storage.engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT arch_id FROM autost_candidates")).scalars()
        assert sorted(ids) == sorted([NEW, SSA.arch_id])
    conv = storage.get_candidate(NEW)
    assert conv.blocks[0].heads is None and conv.qkv_bias is None and conv.depth == 2
    assert storage.get_scores(NEW, KEY).values == {"flops": 1.0}
    assert storage.get_scores(NEW, OTHER_KEY).values == {"flops": 3.0}
    assert storage.get_scores(SSA.arch_id, KEY).values == {"flops": 4.0}
    assert storage.all_scores(OLD_4) == storage.all_scores(OLD_16) == []
    assert [t.accuracy for t in storage.trainings(arch_id=NEW)] == [50.0, 60.0]
    assert storage.trainings(arch_id=OLD_4) == []
    rows = trial_rows(storage, study_record(storage, "old"))
    assert [r.arch_id for r in rows] == [NEW, NEW, SSA.arch_id]
    assert [r.arch for r in rows] == [conv, conv, SSA]
    assert [r.scores for r in rows] == [{"flops": 1.0}, {"flops": 1.0}, {"flops": 4.0}]
    trial = optuna.load_study(study_name="old", storage=storage.optuna_storage()).trials[1]
    assert trial.user_attrs["arch_id"] == NEW
    storage.close()


def test_upgrade_of_a_database_without_optuna_tables(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    storage = open_storage(url)
    with storage.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO autost_candidates VALUES (:a, :j, 'stmixer', CURRENT_TIMESTAMP)"),
            {"a": OLD_16, "j": OLD_JSON.replace("HEADS", "16")})
    storage.close()
    monkeypatch.undo()
    storage = open_storage(url)
    with storage.engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT arch_id FROM autost_candidates")).scalars()
        assert list(ids) == [NEW]
    assert json.loads(storage.get_candidate(NEW).to_json())["blocks"][1]["heads"] is None
    storage.close()
