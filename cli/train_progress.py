"""What ``autost train`` prints on stderr: the estimate first, then a line per epoch."""

import click

from autost.wording import counted


class TrainingProgress:
    """Callbacks for :func:`autost.train.top_candidates.train_ranked` that report on stderr.

    ``threads`` is what one trial's torch gets. The estimate is printed once Ray is up,
    when it is known how many trials train at once.
    """

    def __init__(self, settings, threads: int, asha: bool):
        self.settings, self.threads, self.asha = settings, threads, asha
        self.jobs, self.estimate = [], None

    def start(self, jobs, slots: int) -> None:
        from autost.data.catalog import num_classes
        from autost.surrogate import get_surrogate
        from autost.train.estimate import estimate_training, format_duration

        self.jobs = list(jobs)
        s = self.settings
        surrogate = get_surrogate(s.surrogate)
        cfgs = [surrogate.apply(j.arch, num_classes(s.dataset)) for j in self.jobs]
        click.echo(f"timing one training step on this machine ({s.batch_size} images)...",
                   err=True)
        est = estimate_training(cfgs, s, threads=self.threads,
                                concurrent=slots)
        self.estimate = est
        bound = ", less where ASHA stops weak ones" if self.asha else ""
        click.echo(
            f"estimate: {counted(len(cfgs), 'training')} x {counted(s.epochs, 'epoch')} on "
            f"{s.dataset}, "
            f"{est.concurrent} at a time: about {format_duration(est.total_seconds())}"
            f"{bound} (a step of {est.reference.summary()} took {est.step_seconds:.2f} s; "
            "the others scaled by their MACs)", err=True)

    def epoch(self, index: int, metrics: dict) -> None:
        from autost.train.estimate import format_duration

        est = self.estimate
        est.record_epoch(index, metrics["epoch"], metrics["seconds"])
        click.echo(
            f"trial {self.jobs[index].trial_number}: epoch {metrics['epoch']}/"
            f"{self.settings.epochs}, accuracy {100 * metrics['val_accuracy']:.1f} %, "
            f"{format_duration(metrics['seconds'])} per epoch; about "
            f"{format_duration(est.rest_of(index))} more for this trial, "
            f"{format_duration(est.rest())} in all", err=True)

    def outcome(self, outcome) -> None:
        index = next(i for i, j in enumerate(self.jobs) if j == outcome.job)
        self.estimate.finish(index)
        epochs = len(outcome.history)
        stopped = " (stopped by ASHA)" if outcome.stopped_early else ""
        result = (f"failed: {outcome.error}" if outcome.error else
                  f"{outcome.accuracy:.1f} % after {counted(epochs, 'epoch')}{stopped}")
        click.echo(f"trial {outcome.job.trial_number}: {result}", err=True)
