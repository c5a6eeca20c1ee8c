"""``autost pareto``: export the Pareto front of a study as a table and a plot."""

from pathlib import Path

import click

from autost.cli.options import output_options, storage_option
from autost.wording import counted

FILE_FORMATS = {".csv": "csv", ".json": "json", ".md": "md"}  # --out's suffix; else Markdown


@click.command()
@click.option("--study", required=True, help="Study name.")
@storage_option()
@click.option("--objective", "objectives", multiple=True,
              help="Score and direction, NAME:max|min; repeat for each (default: the "
                   "study's own objectives). Any stored score works, and accuracy once "
                   "trained.")
@output_options
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the front to this file instead of stdout: FILE.csv, FILE.json, "
                   "else a Markdown table.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw the front: FILE.png (matplotlib) or FILE.html (plotly).")
@click.option("--limit", default=None, type=click.IntRange(min=1),
              help="Show at most this many members (default: the whole front).")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0),
              help="Skip this many members first, best first in the first objective.")
def pareto(study, storage_url, objectives, fmt, out, plot, limit, offset):
    """Export the non-dominated candidates of a study; infeasible trials never appear."""
    fmt = _file_format(out, fmt) if out else fmt
    from autost.report import load_entries, pareto_front, render
    from autost.report.export import brief_table, write_text
    from autost.report.plot import plot_front
    from autost.storage import open_storage

    front = pareto_front(load_entries(open_storage(storage_url, create=False), study), objectives)
    members = front.members[offset:None if limit is None else offset + limit]
    text = (brief_table(members, front.objectives) if fmt == "table"
            else render(members, front.objectives, fmt, title=study))
    if len(members) < len(front.members):
        click.echo(f"members {offset + 1}-{offset + len(members)} of {len(front.members)}"
                   if members else f"none after {len(front.members)} members", err=True)
    if out:
        write_text(out, text)
        click.echo(f"wrote {len(members)} of "
                   f"{counted(len(front.candidates), 'feasible candidate')} to {out}", err=True)
    else:
        click.echo(text, nl=False)
    if plot:
        plot_front(front, plot)
        click.echo(f"wrote {plot}", err=True)


def _file_format(out: str, fmt: str) -> str:
    """The format of the file ``out``: its suffix's, which --json or --csv must agree with."""
    suffixed = FILE_FORMATS.get(Path(out).suffix.lower(), "md")
    if fmt != "table" and fmt != suffixed:
        raise click.UsageError(f"--{fmt} and --out {out} disagree; name the file "
                               f"FILE.{fmt}, or leave --{fmt} out")
    return suffixed
