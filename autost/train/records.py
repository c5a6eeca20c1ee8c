"""Trainings in the results database: store an outcome, find one to reuse.

A training is identified by its architecture and its whole recipe, ``TrainSettings.key()``
(dataset, epochs, seed, learning rate, batch size, training subset...; not the data folder
or the device). Only successful trainings are reused, so a failed one is retried on the next
run; trainings stored before the recipe was recorded are never reused.

A database's successful trainings also travel as plain records (:func:`training_records`,
:func:`add_training_records`): each with its architecture and space, so another database
(a colleague's, a fresh machine's) reuses them exactly as it reuses its own.
"""

import json

from autost.arch import ArchConfig
from autost.train.loop import TrainSettings
from autost.train.tuning import TrainOutcome

# The columns of a training that a record carries (the row id and time are the database's).
RECORD_FIELDS = ("dataset", "epochs", "seed", "settings_key", "status", "accuracy",
                 "history", "rates", "energy_mj", "error", "study_name", "trial_number",
                 "epochs_run")


def store_outcome(storage, outcome: TrainOutcome, settings: TrainSettings) -> int:
    """Add one trainings row for ``outcome`` (accuracy in percent); return its id."""
    return storage.add_training(
        outcome.job.arch.arch_id, dataset=settings.dataset, epochs=settings.epochs,
        seed=settings.seed, settings_key=settings.key(), status=outcome.status,
        accuracy=outcome.accuracy, history=outcome.history, rates=outcome.rates,
        energy_mj=outcome.energy_mj, error=outcome.error, study_name=outcome.job.study_name,
        trial_number=outcome.job.trial_number, epochs_run=len(outcome.history),
    )


def cached_trainings(storage, arch_ids, settings: TrainSettings) -> dict:
    """arch_id -> its latest successful TrainingRow with this recipe (``settings.key()``)."""
    found, key = {}, settings.key()
    for row in storage.trainings_of(arch_ids):
        if row.status == "ok" and row.accuracy is not None and row.settings_key == key:
            found[row.arch_id] = row  # rows come oldest first: the latest wins
    return found


def training_records(storage, spaces=None) -> list[dict]:
    """Every successful training with a recipe key, oldest first, as a JSON-ready dict:
    the candidate's ``space`` and ``arch`` (ArchConfig as a dict) and the training's
    :data:`RECORD_FIELDS`; only those of candidates of ``spaces`` when given."""
    rows = [r for r in storage.trainings()
            if r.status == "ok" and r.accuracy is not None and r.settings_key is not None]
    ids = {r.arch_id for r in rows}
    space_of, archs = storage.candidate_spaces(ids), storage.candidate_jsons(ids)
    return [{"space": space_of[r.arch_id], "arch": json.loads(archs[r.arch_id]),
             **{f: getattr(r, f) for f in RECORD_FIELDS}}
            for r in rows if r.arch_id in archs
            and (spaces is None or space_of[r.arch_id] in spaces)]


def add_training_records(storage, records) -> int:
    """Store records of :func:`training_records` (their candidates first); a training the
    database already holds (same architecture, recipe and accuracy) is skipped. The number
    stored."""
    records = list(records)
    cfgs = [ArchConfig.from_dict(r["arch"]) for r in records]
    held = {(t.arch_id, t.settings_key, t.accuracy)
            for t in storage.trainings_of(c.arch_id for c in cfgs)}
    added = 0
    for record, cfg in zip(records, cfgs, strict=True):
        if (cfg.arch_id, record["settings_key"], record["accuracy"]) in held:
            continue
        storage.add_candidate(cfg, record["space"])
        storage.add_training(cfg.arch_id, **{f: record[f] for f in RECORD_FIELDS})
        held.add((cfg.arch_id, record["settings_key"], record["accuracy"]))
        added += 1
    return added
