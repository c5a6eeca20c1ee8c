"""``autost reproduce``: figures from the papers, rebuilt for any space."""

import time

import click

from autost.cli.interrupted import RERUN, reporting_stored_trainings
from autost.cli.options import echo_rows, output_options
from autost.cli.train import training_options


@click.group()
def reproduce():
    """Reproduce figures (accuracy vs FLOPs)."""


@reproduce.command("scatter")
@click.option("--space", required=True, help="Space name or TOML file to sample from.")
@click.option("--samples", default=None, type=click.IntRange(min=2),
              help="Random architectures (default: the preset's, quick 20, paper 40).")
@click.option("--epochs", default=None, type=click.IntRange(min=1),
              help="Training epochs each (default: the preset's, quick 4, paper 30).")
@click.option("--dataset", default=None,
              help="digits, fashion-mnist, cifar10, cifar100 or synthetic (default: the "
                   "preset's).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for scatter.png, scatter.csv and correlations.csv.")
@click.option("--preset", default="quick", show_default=True,
              type=click.Choice(["quick", "paper"]),
              help="quick: shrunk configs on digits for a CPU (about 10 minutes on 2 cores); "
                   "paper: configs as sampled on CIFAR-10 for a GPU.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seeds the sampling and the training.")
@training_options
@output_options
def scatter(space, samples, epochs, dataset, out_dir, preset, seed, data_dir, download,
            storage_url, ray_address, fmt):
    """Sample architectures at random, score every proxy, train each briefly, and compare.

    Writes accuracy against FLOPs by token-mixer family (STMixer's figure 8) and Kendall
    tau, Spearman rho and precision at the top 25 % of every proxy against accuracy.
    Rerunning reuses the scores and trainings already in the database.
    """
    from autost.data.catalog import ensure_dataset
    from autost.report.scatter_outputs import correlation_text, write_scatter_report
    from autost.space import load_space
    from autost.storage import open_storage
    from autost.train.scatter import PRESETS, run_scatter
    from autost.train.tuning import probe_address

    start = time.perf_counter()
    load_space(space)  # an unknown space fails before the database or --out exists
    dataset = dataset or PRESETS[preset].dataset
    ensure_dataset(dataset, data_dir, download)
    if ray_address is not None:
        probe_address(ray_address)  # fail in seconds, before any scoring or training
    storage = open_storage(storage_url)
    with reporting_stored_trainings(storage, RERUN):
        run = run_scatter(
            storage, space, preset=preset, samples=samples, epochs=epochs, dataset=dataset,
            seed=seed, data_dir=data_dir, download=download, address=ray_address,
            log=lambda message: click.echo(message, err=True),
        )
    result = write_scatter_report(run, out_dir)
    echo_rows(fmt, result.correlations, lambda: correlation_text(result.correlations),
              document={"rows": result.rows, "correlations": result.correlations,
                        "files": {k: str(v) for k, v in result.files.items()}})
    if fmt != "table":
        return
    failed = sum(r["status"] != "ok" for r in result.rows)
    click.echo(f"{len(result.rows) - failed} trained, {failed} failed; wrote "
               f"{', '.join(str(p) for p in result.files.values())} in "
               f"{time.perf_counter() - start:.0f} s", err=True)

