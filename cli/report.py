"""``autost report``: write a self-contained report folder for one study."""

import click

from autost.cli.options import storage_option


@click.command()
@click.option("--study", required=True, help="Study name.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write (created if missing; files in it are replaced).")
@storage_option()
@click.option("--objective", "objectives", multiple=True,
              help="NAME:max|min, repeated (default: the study's own objectives).")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(min=1),
              help="Rows of top.csv.")
def report(study, out_dir, storage_url, objectives, k):
    """Write pareto.csv, pareto.png, top.csv, per-layer breakdowns of the best candidate per
    objective, and summary.md into OUT."""
    from autost.report import write_report
    from autost.storage import open_storage

    storage = open_storage(storage_url, create=False)
    for path in write_report(storage, study, out_dir, objectives, k):
        click.echo(str(path))
