"""Train the best candidates of a search study and write their accuracy back.

The caller ranks them (``autost train`` takes the ranking ``autost results top`` shows:
feasible complete trials, one per architecture, best first). Each finished trial's
accuracy (percent) goes to the trainings table and to the Optuna trial's user attribute
``accuracy``, as it finishes.

With a surrogate in the recipe (``TrainSettings.surrogate``, e.g. ``keep16``: 16x16
input, a quarter of the width, every block and time step kept) each candidate's surrogate
is trained in its place, so that a CPU trains it in seconds per epoch; the training is the
candidate's (its arch_id), its recipe key names the surrogate, and its accuracy reaches the
trial like any other (``results top --by accuracy``, ``pareto``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from autost.storage.optuna_tables import ACCURACY_ATTR, write_finished_trial_attr
from autost.train.loop import TrainSettings
from autost.train.records import store_outcome
from autost.train.tuning import TrainJob, TrainOutcome, run_trials


@dataclass(frozen=True)
class TrainedCandidate:
    """One trained trial: its number, its score under the ranking objective, the outcome."""

    trial: int
    score: float
    outcome: TrainOutcome


def train_ranked(storage, study_name: str, objective, best, *, settings: TrainSettings,
                 address: str | None = None, cpus_per_trial: float = 1,
                 gpus_per_trial: float | None = None, asha: bool = True,
                 on_start: Callable[[list[TrainJob], int], None] | None = None,
                 on_outcome: Callable[[TrainOutcome], None] | None = None,
                 on_epoch: Callable[[int, dict], None] | None = None,
                 ) -> list[TrainedCandidate]:
    """Train the ranked candidates ``best`` of ``study_name`` (entries with ``trial``,
    ``arch`` and ``scores``, best first by ``objective``, as the report's ``top_entries``
    ranks them).

    The dataset must be in place (see :func:`autost.data.catalog.ensure_dataset`).
    ``on_start(jobs, slots)`` runs once Ray is up, before training starts (``slots``: how
    many train at once); ``on_epoch`` and ``on_outcome`` are those of
    :func:`autost.train.tuning.run_trials`.
    """
    from autost.storage import load_study

    load_study(storage, study_name)  # an unknown study fails here, before Ray starts

    def record(outcome: TrainOutcome) -> None:
        store_outcome(storage, outcome, settings)
        if outcome.accuracy is not None:
            write_finished_trial_attr(storage, study_name, outcome.job.trial_number,
                                      ACCURACY_ATTR, outcome.accuracy)
        if on_outcome is not None:
            on_outcome(outcome)

    jobs = [TrainJob(e.arch, study_name, e.trial) for e in best]
    outcomes = run_trials(jobs, settings, address=address, cpus_per_trial=cpus_per_trial,
                          gpus_per_trial=gpus_per_trial, asha=asha, on_outcome=record,
                          on_epoch=on_epoch,
                          on_ready=on_start and (lambda slots: on_start(jobs, slots)))
    return [TrainedCandidate(e.trial, e.scores[objective.name], o)
            for e, o in zip(best, outcomes, strict=True)]

