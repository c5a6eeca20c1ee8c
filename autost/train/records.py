"""Trainings in the results database: store an outcome, find one to reuse.

A training is identified by (arch_id, dataset, epochs, seed); the other settings (learning
rate, batch size) are the preset's and are not part of the identity. Only successful
trainings are reused, so a failed one is retried on the next run.
"""

from autost.train.loop import TrainSettings
from autost.train.tuning import TrainOutcome


def store_outcome(storage, outcome: TrainOutcome, settings: TrainSettings) -> int:
    """Add one trainings row for ``outcome`` (accuracy in percent); return its id."""
    return storage.add_training(
        outcome.job.arch.arch_id, dataset=settings.dataset, epochs=settings.epochs,
        seed=settings.seed, status=outcome.status, accuracy=outcome.accuracy,
        history=outcome.history, rates=outcome.rates, energy_mj=outcome.energy_mj,
        error=outcome.error, study_name=outcome.job.study_name,
        trial_number=outcome.job.trial_number,
    )


def cached_trainings(storage, arch_ids, settings: TrainSettings) -> dict:
    """arch_id -> its latest successful TrainingRow with these dataset, epochs and seed."""
    found = {}
    for row in storage.trainings_of(arch_ids):
        if (row.status == "ok" and row.accuracy is not None
                and (row.dataset, row.epochs, row.seed)
                == (settings.dataset, settings.epochs, settings.seed)):
            found[row.arch_id] = row  # rows come oldest first: the latest wins
    return found
