"""``autost fidelity``: how well every proxy ranks trained accuracy, with intervals."""

import time
from pathlib import Path

import click

from autost.cli.interrupted import RERUN, reporting_stored_trainings
from autost.cli.options import echo_rows, output_options
from autost.cli.train import training_options
from autost.wording import counted


@click.command()
@click.option("--space", required=True, help="Space name or TOML file to sample from.")
@click.option("--preset", default="cpu", show_default=True,
              type=click.Choice(["cpu", "test", "paper"]),
              help="cpu: Fashion-MNIST on a 2-core CPU (10-20 minutes per space); test: "
                   "synthetic data, seconds; paper: CIFAR-10 on a GPU.")
@click.option("-n", "--samples", default=None, type=click.IntRange(min=3),
              help="Random architectures (default: the preset's, cpu 24, paper 40).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for the tables and plots (default: fidelity/<space>).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seeds the sampling, the training (the noise ceiling uses seed + 1) "
                   "and the bootstrap.")
@click.option("--surrogate", default=None, metavar="NAME",
              help="Score and train every architecture through this surrogate instead of "
                   "the preset's (cpu and test: keep8, paper: full); see autost/surrogate.py.")
@training_options
@output_options
def fidelity(space, preset, samples, out_dir, seed, surrogate, data_dir, download, storage_url,
             ray_address, fmt):
    """Sample architectures, score every proxy, train each with one recipe, and measure.

    Per proxy: Kendall tau, Spearman rho and precision at the top 25 % against validation
    accuracy, and the partial tau given FLOPs (what the proxy adds beyond FLOPs), each with
    a bootstrap 95 % interval. The noise ceiling is tau between two training seeds; the
    horizon check is tau between the preset's epochs and twice as many. A rerun reuses
    every score and training in the database. --csv prints the per-proxy table; --json
    also the checks, the architectures' rows and the files written.
    """
    from autost.data.catalog import ensure_dataset
    from autost.report.fidelity import summarize
    from autost.report.fidelity_files import fidelity_text, make_folders, write_fidelity
    from autost.space import load_space
    from autost.storage import open_storage
    from autost.surrogate import get_surrogate
    from autost.train.fidelity import PRESETS, run_fidelity
    from autost.train.tuning import probe_address

    start = time.perf_counter()
    load_space(space)  # an unknown space fails before the database or --out exists
    if surrogate is not None:
        get_surrogate(surrogate)
    ensure_dataset(PRESETS[preset].base.dataset, data_dir, download)
    if ray_address is not None:
        probe_address(ray_address)  # fail in seconds, before any scoring or training
    out_dir = Path(out_dir) if out_dir else Path("fidelity") / Path(space).stem
    make_folders(out_dir)  # a bad --out fails before any training
    storage = open_storage(storage_url)
    with reporting_stored_trainings(storage, RERUN):
        run = run_fidelity(storage, space, preset=preset, samples=samples, seed=seed,
                           data_dir=data_dir, address=ray_address, surrogate=surrogate,
                           log=lambda message: click.echo(message, err=True))
    table, checks = summarize(run)
    files = write_fidelity(run.rows, table, checks, out_dir, run.title)
    echo_rows(fmt, table, lambda: fidelity_text(table, checks), document={
        "table": table, "checks": checks, "rows": run.rows,
        "files": {k: str(v) for k, v in files.items()}})
    click.echo(f"wrote {counted(len(files), 'file')} in {out_dir} in "
               f"{time.perf_counter() - start:.0f} s", err=True)
