"""``autost pareto``: export the Pareto front of a study as a table and a plot."""

from pathlib import Path

import click

FORMATS = ("csv", "json", "md")


@click.command()
@click.option("--study", required=True, help="Study name.")
@click.option("--storage", "storage_url", default=None,
              help="Database URL (default: sqlite:///autost.db in the working directory).")
@click.option("--objective", "objectives", multiple=True,
              help="Score and direction, NAME:max|min; repeat for each (default: the "
                   "study's own objectives). Any stored score works, and accuracy once "
                   "trained.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Table format (default: from the --out suffix, else md).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the table to this file instead of stdout.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw the front: FILE.png (matplotlib) or FILE.html (plotly).")
def pareto(study, storage_url, objectives, fmt, out, plot):
    """Export the non-dominated candidates of a study; infeasible trials never appear."""
    from autost.report import load_entries, pareto_front, render
    from autost.report.export import write_text
    from autost.report.plot import plot_front
    from autost.storage import open_storage

    front = pareto_front(load_entries(open_storage(storage_url, create=False), study), objectives)
    if fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower() if out else ""
        fmt = suffix if suffix in FORMATS else "md"
    text = render(front.members, front.objectives, fmt, title=study)
    if out:
        write_text(out, text)
        click.echo(f"wrote {len(front.members)} of {len(front.candidates)} feasible candidates "
                   f"to {out}", err=True)
    else:
        click.echo(text, nl=False)
    if plot:
        plot_front(front, plot)
        click.echo(f"wrote {plot}", err=True)
