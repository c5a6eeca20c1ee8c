"""``autost results``: read scored candidates back from the results database."""

import click

from autost.cli.options import echo_json, json_option, output_options, storage_option
from autost.wording import counted


@click.group()
def results():
    """Read scored candidates from the database."""


@results.command("top")
@click.option("--study", required=True, help="Study name.")
@storage_option()
@click.option("-k", "--limit", "k", default=10, show_default=True,
              type=click.IntRange(min=1), help="How many candidates.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0),
              help="Skip this many of the best first (the next page: --offset K).")
@click.option("--by", default=None,
              help="Score to rank by, NAME or NAME:max|min (default: the study's first "
                   "objective). Any stored score works, and accuracy once trained.")
@output_options
def top_command(study, storage_url, k, offset, by, fmt):
    """The K best feasible, complete candidates of a study, best first."""
    from autost.report import load_entries, render, top_entries
    from autost.report.export import brief_table
    from autost.storage import open_storage

    storage = open_storage(storage_url, create=False)
    entries = load_entries(storage, study)
    objective, top = top_entries(entries, by, k, offset)
    shown = [objective, *(o for o in entries.objectives if o.name != objective.name)]
    if fmt != "table":
        click.echo(render(top, shown, fmt, title=study), nl=False)
        return
    click.echo(brief_table(top, shown), nl=False)
    feasible = counted(len(entries.complete([objective])), "feasible candidate")
    ranks = f", ranks {offset + 1}-{offset + len(top)}" if offset and top else ""
    click.echo(f"{len(top)} of {feasible} by {objective.spec}{ranks}", err=True)


@results.command("show")
@click.argument("arch_id")
@storage_option()
@json_option()
def show_command(arch_id, storage_url, as_json):
    """Show one candidate: ArchConfig, every stored score set with its per-layer breakdown,
    and its trainings. ARCH_ID may be a unique prefix."""
    from autost.report.candidate import describe_candidate
    from autost.report.export import scaled
    from autost.report.scores import score_info
    from autost.storage import open_storage
    from autost.tables import aligned, to_json

    info = describe_candidate(open_storage(storage_url, create=False), arch_id)
    if as_json:
        echo_json(info)
        return
    click.echo(f"{info['arch_id']}\n{info['summary']}")
    click.echo(to_json(info["arch"]))
    for s in info["scores"]:
        click.echo(f"\nscores [{s['settings_key']}], rate source {s['rate_source']}")
        click.echo(aligned(["score", "value", "unit"], [
            [name, scaled(name, value), score_info(name).shown]
            for name, value in s["values"].items()
        ]), nl=False)
        if s["flags"]:
            click.echo("flags: " + "; ".join(s["flags"]))
        if s["layers"]:
            keys = list(dict.fromkeys(key for layer in s["layers"] for key in layer))
            click.echo("per-layer breakdown:")
            click.echo(aligned(keys, [[layer.get(key) for key in keys]
                                      for layer in s["layers"]]), nl=False)
    if info["trainings"]:
        click.echo("\ntrainings")
        keys = ["id", "study_name", "trial_number", "dataset", "epochs", "seed", "status",
                "accuracy", "energy_mj", "error"]
        click.echo(aligned(keys, [[t[key] for key in keys] for t in info["trainings"]]),
                   nl=False)
