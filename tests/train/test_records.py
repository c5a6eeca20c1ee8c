"""Trainings in the database: outcomes stored, only matching successful ones reused."""

from autost.arch import ArchConfig, BlockConfig
from autost.storage import open_storage
from autost.train.loop import TrainSettings
from autost.train.records import (
    add_training_records,
    cached_trainings,
    store_outcome,
    training_records,
)
from autost.train.tuning import TrainJob, TrainOutcome


def test_store_and_reuse(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    a, b = (ArchConfig(blocks=(BlockConfig(heads=1),), embed_dim=d) for d in (16, 32))
    settings = TrainSettings(epochs=2, seed=1)
    store_outcome(storage, TrainOutcome(TrainJob(a, "s", 3), "ok", accuracy=70.0,
                                        history=[{"epoch": 1}], energy_mj=0.1,
                                        rates={"sop_rates": {}}), settings)
    store_outcome(storage, TrainOutcome(TrainJob(a), "ok", accuracy=75.0), settings)
    store_outcome(storage, TrainOutcome(TrainJob(b), "failed", error="RuntimeError: x"),
                  settings)
    rows = storage.trainings()
    assert [(r.status, r.accuracy, r.error) for r in rows] == [
        ("ok", 70.0, None), ("ok", 75.0, None), ("failed", None, "RuntimeError: x")]
    assert (rows[0].study_name, rows[0].trial_number, rows[0].epochs, rows[0].seed) == (
        "s", 3, 2, 1)
    found = cached_trainings(storage, [a.arch_id, b.arch_id], settings)
    assert list(found) == [a.arch_id] and found[a.arch_id].accuracy == 75.0  # the latest
    assert cached_trainings(storage, [a.arch_id], TrainSettings(epochs=3, seed=1)) == {}
    assert cached_trainings(storage, [a.arch_id],
                            TrainSettings(dataset="synthetic", epochs=2, seed=1)) == {}
    storage.close()


def test_only_the_same_recipe_is_reused(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    a = ArchConfig(blocks=(BlockConfig(heads=1),), embed_dim=16)
    settings = TrainSettings(epochs=2, seed=1, max_batches=10)
    store_outcome(storage, TrainOutcome(TrainJob(a), "ok", accuracy=70.0), settings)
    assert storage.trainings()[0].settings_key == settings.key()
    assert list(cached_trainings(storage, [a.arch_id], settings)) == [a.arch_id]
    for other in (TrainSettings(epochs=2, seed=1, max_batches=20),
                  TrainSettings(epochs=2, seed=1, max_batches=10, lr=1e-3),
                  TrainSettings(epochs=2, seed=1, max_batches=10, batch_size=32)):
        assert cached_trainings(storage, [a.arch_id], other) == {}
    # a folder or a device does not change the training
    assert list(cached_trainings(storage, [a.arch_id], TrainSettings(
        epochs=2, seed=1, max_batches=10, data_dir="/elsewhere", device="cpu"))) == [a.arch_id]
    # a training stored without its recipe (before schema 2) is never reused
    storage.add_training(a.arch_id, dataset="digits", epochs=2, seed=1, status="ok",
                         accuracy=99.0)
    assert cached_trainings(storage, [a.arch_id], settings)[a.arch_id].accuracy == 70.0
    storage.close()


def test_the_epochs_run_and_why_it_stopped_are_stored(tmp_path):
    """ASHA stopped one after 1 of 3 epochs: stored as such, not as a 3-epoch training."""
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    a = ArchConfig(blocks=(BlockConfig(heads=1),), embed_dim=16)
    settings = TrainSettings(epochs=3, seed=1)
    epochs = [{"epoch": e} for e in (1, 2, 3)]
    for outcome in (TrainOutcome(TrainJob(a), "ok", accuracy=80.0, history=epochs,
                                 energy_mj=0.1),
                    TrainOutcome(TrainJob(a), "ok", accuracy=40.0, history=epochs[:1]),
                    TrainOutcome(TrainJob(a), "failed", history=epochs[:2], error="x")):
        store_outcome(storage, outcome, settings)
    assert [(r.status, r.epochs, r.epochs_run, r.stop_reason) for r in storage.trainings()] == [
        ("ok", 3, 3, "completed"), ("ok", 3, 1, "asha"), ("failed", 3, 2, "error")]
    storage.close()


def test_records_carry_trainings_to_another_database(tmp_path):
    """Exported successful trainings are reused by another database as its own; a second
    import adds nothing; failed ones and other spaces stay behind."""
    import json

    source = open_storage(f"sqlite:///{tmp_path / 'a.sqlite'}")
    a, b, c = (ArchConfig(blocks=(BlockConfig(heads=1),), embed_dim=d) for d in (16, 32, 48))
    settings = TrainSettings(epochs=2, seed=1)
    for cfg, space in ((a, "x"), (b, "x"), (c, "y")):
        source.add_candidate(cfg, space)
    store_outcome(source, TrainOutcome(TrainJob(a, "s", 3), "ok", accuracy=70.0,
                                       history=[{"epoch": 1, "val_accuracy": 0.7}],
                                       energy_mj=0.1, rates={"sop_rates": {"l": 0.2}}),
                  settings)
    store_outcome(source, TrainOutcome(TrainJob(b), "failed", error="RuntimeError: x"),
                  settings)
    store_outcome(source, TrainOutcome(TrainJob(c), "ok", accuracy=55.0), settings)
    records = json.loads(json.dumps(training_records(source, spaces={"x"})))
    assert [(r["space"], r["accuracy"]) for r in records] == [("x", 70.0)]

    target = open_storage(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert add_training_records(target, records) == 1
    assert add_training_records(target, records) == 0
    found = cached_trainings(target, [a.arch_id, b.arch_id], settings)
    assert list(found) == [a.arch_id]
    kept, original = found[a.arch_id], source.trainings(a.arch_id)[0]
    assert (kept.accuracy, kept.history, kept.rates, kept.energy_mj, kept.study_name,
            kept.trial_number) == (original.accuracy, original.history, original.rates,
                                   original.energy_mj, "s", 3)
    assert target.candidate_spaces([a.arch_id]) == {a.arch_id: "x"}
    assert training_records(target) == records
