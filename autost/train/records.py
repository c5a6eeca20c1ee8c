"""Trainings in the results database: store an outcome, find one to reuse.

A training is identified by its architecture and its whole recipe, ``TrainSettings.key()``
(dataset, epochs, seed, learning rate, batch size, training subset...; not the data folder
or the device). Only successful trainings are reused, so a failed one is retried on the next
run; trainings stored before the recipe was recorded are never reused.
"""

from autost.train.loop import TrainSettings
from autost.train.tuning import TrainOutcome


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
