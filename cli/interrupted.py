"""Ctrl-C or SIGTERM in a command that trains: the trainings kept, then exit 130.

``autost search`` ends an interruption with what the study holds; the commands that train
(``train``, ``fidelity``, ``reproduce scatter``) end theirs with the trainings this run
stored, one line each, so a user knows what a rerun starts from. Click's own "Aborted!"
(exit 1) never shows.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import click

from autost.wording import counted

INTERRUPTED_EXIT = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
RERUN = "run the same command again to go on: it reuses every stored score and training"


@contextmanager
def reporting_stored_trainings(storage, rerun: str) -> Iterator[None]:
    """Run the block with Ctrl-C and SIGTERM raising KeyboardInterrupt; on one, print the
    trainings stored since the block began and ``rerun`` (what running the command again
    does), and exit 130."""
    from autost.search.interrupts import signals_interrupt

    before = _last_training_id(storage)
    try:
        with signals_interrupt():
            yield
    except KeyboardInterrupt:
        stored = [t for t in storage.trainings() if t.id > before]
        click.echo(f"Interrupted: {counted(len(stored), 'training')} finished and stored by "
                   f"this run{':' if stored else ';'}", err=True)
        for training in stored:
            click.echo(f"  {_describe(training)}", err=True)
        click.echo(rerun, err=True)
        raise click.exceptions.Exit(INTERRUPTED_EXIT) from None


def _last_training_id(storage) -> int:
    return max((t.id for t in storage.trainings()), default=0)


def _describe(t) -> str:
    """One stored training: its architecture, dataset, seed, epochs run and result."""
    ran = t.epochs_run if t.epochs_run is not None else t.epochs
    budget = f"{ran} of {counted(t.epochs, 'epoch')}" if ran != t.epochs else counted(
        ran, "epoch")
    result = (f"failed ({t.error})" if t.status != "ok" else
              f"{t.accuracy:.1f} %" + (" (stopped by ASHA)" if t.stop_reason == "asha" else ""))
    return f"{t.arch_id[:12]} on {t.dataset}, seed {t.seed}, {budget}: {result}"
