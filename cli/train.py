"""``autost train``: train the top candidates of a study briefly on Ray Tune."""

import click

from autost.cli.interrupted import reporting_stored_trainings
from autost.cli.options import echo_rows, output_options, storage_option

DEFAULT_TOP = 5
RAY_HELP = ("Address of an existing Ray cluster (host:port or ray://host:port); default: "
            "start Ray locally with every CPU of this machine.")


def training_options(f):
    """Options shared with ``autost reproduce``: data, Ray and the training recipe."""
    for option in reversed([
        click.option("--data-dir", default=None, type=click.Path(file_okay=False),
                     help="Folder holding CIFAR in torchvision's python format, or "
                          "Fashion-MNIST's idx .gz files (default for fashion-mnist: "
                          "/usr/share/datasets/fashion-mnist, Debian's "
                          "dataset-fashion-mnist)."),
        click.option("--download", is_flag=True,
                     help="Fetch CIFAR into --data-dir if it is missing (the only download)."),
        storage_option(),
        click.option("--ray-address", default=None, help=RAY_HELP),
    ]):
        f = option(f)
    return f


@click.command()
@click.option("--study", required=True, help="Study name.")
@click.option("--top", "top", default=None, type=click.IntRange(min=1),
              help="How many of the best candidates to train (default: 5).")
@click.option("--spread", default=None, type=click.IntRange(min=1), metavar="K",
              help="Instead of the top K, train the K architectures autost search lists: "
                   "spread evenly along the study's front, from the dearest to the "
                   "cheapest in energy.")
@click.option("--epochs", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--dataset", default="digits", show_default=True,
              help="digits, fashion-mnist, cifar10, cifar100 or synthetic.")
@click.option("--by", default=None,
              help="Score to rank by, NAME or NAME:max|min (default: the study's first "
                   "objective).")
@training_options
@click.option("--surrogate", default=None, metavar="NAME",
              help="Train each candidate's surrogate in its place (keep16: 16x16 input, a "
                   "quarter of the width, every block and time step kept; keep8, trunc16): "
                   "seconds per epoch on a CPU, where full-size models take minutes. The "
                   "training is the candidate's; its recipe names the surrogate.")
@click.option("--shrink", is_flag=True, help="Short for --surrogate keep16.")
@click.option("--batch-size", default=None, type=click.IntRange(min=2),
              help="Images per step (default: 64; 32 with a surrogate).")
@click.option("--lr", default=None, type=click.FloatRange(min=0, min_open=True),
              help="Peak AdamW learning rate, cosine decay, label smoothing 0.1 (default: "
                   "5e-3; 1e-2 with a surrogate).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--max-batches", default=None, type=click.IntRange(min=1),
              help="Cap the training batches per epoch (default: the whole training set).")
@click.option("--cpus-per-trial", default=1.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True))
@click.option("--gpus-per-trial", default=None, type=click.FloatRange(min=0),
              help="Default: 1 when the Ray cluster has a GPU, else 0.")
@click.option("--no-asha", is_flag=True, help="Train every candidate for all epochs.")
@output_options
def train(study, top, spread, epochs, dataset, by, data_dir, download, storage_url, ray_address,
          surrogate, shrink, batch_size, lr, seed, max_batches, cpus_per_trial, gpus_per_trial,
          no_asha, fmt):
    """Train the top-K candidates of a study, or K spread along its front, for a few epochs
    (ASHA stops the weak ones).

    Accuracy (validation, %) goes to the trainings table and to each Optuna trial's user
    attribute ``accuracy``; energy is re-measured with the trained firing rates. An estimate
    of the time comes first and a line per epoch on stderr; Ctrl-C or SIGTERM stops with
    exit 130, keeping the trainings that finished.
    """
    from autost.cli.train_progress import TrainingProgress
    from autost.data.catalog import ensure_dataset
    from autost.report import load_entries, spread_entries, top_entries
    from autost.storage import open_storage
    from autost.surrogate import FULL, get_surrogate
    from autost.tables import aligned
    from autost.train.loop import TrainSettings
    from autost.train.top_candidates import train_ranked
    from autost.train.tuning import probe_address

    if shrink and surrogate not in (None, "keep16"):
        raise click.UsageError(f"--shrink means --surrogate keep16; leave out one of --shrink "
                               f"and --surrogate {surrogate}")
    if spread is not None and (top is not None or by is not None):
        given = "--top" if top is not None else "--by"
        raise click.UsageError(f"--spread K trains the front's architectures, {given} ranks by "
                               f"one score; leave out one of --spread and {given}")
    surrogate = get_surrogate("keep16" if shrink else surrogate or FULL).name
    small = surrogate != FULL
    ensure_dataset(dataset, data_dir, download)
    if ray_address is not None:
        probe_address(ray_address)  # fail in seconds, before any scoring or training
    settings = TrainSettings(
        dataset=dataset, epochs=epochs, batch_size=batch_size or (32 if small else 64),
        lr=lr or (1e-2 if small else 5e-3), seed=seed, max_batches=max_batches,
        surrogate=surrogate, data_dir=data_dir)
    storage = open_storage(storage_url, create=False)
    progress = TrainingProgress(settings, int(cpus_per_trial), asha=not no_asha)
    entries = load_entries(storage, study)
    ranking, best = (spread_entries(storage, entries, spread) if spread is not None
                     else top_entries(entries, by, top or DEFAULT_TOP))
    with reporting_stored_trainings(storage, "the trainings listed stay stored; the same "
                                             "command trains every candidate again"):
        rows = train_ranked(storage, study, ranking, best, settings=settings,
                            address=ray_address, cpus_per_trial=cpus_per_trial,
                            gpus_per_trial=gpus_per_trial, asha=not no_asha,
                            on_start=progress.start, on_epoch=progress.epoch,
                            on_outcome=progress.outcome)
    objective = ranking.spec
    records = [{
        "trial": r.trial, "arch_id": r.outcome.job.arch.arch_id,
        "summary": r.outcome.job.arch.summary(), objective: r.score,
        "status": r.outcome.status, "epochs": len(r.outcome.history),
        "accuracy": r.outcome.accuracy, "trained_energy_mj": r.outcome.energy_mj,
        "error": r.outcome.error,
    } for r in rows]
    headers = ["trial", "summary", objective, "status", "epochs", "accuracy (%)",
               "trained energy (mJ)", "error"]
    keys = ["trial", "summary", objective, "status", "epochs", "accuracy",
            "trained_energy_mj", "error"]
    echo_rows(fmt, records, lambda: aligned(headers, [[r[k] for k in keys] for r in records]),
              document={"study": study, "objective": objective, "dataset": dataset,
                        "epochs": epochs, "trainings": records})
