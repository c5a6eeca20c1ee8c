"""``autost results``: read scored candidates back from the results database."""

import json

import click

STORAGE_HELP = "Database URL (default: sqlite:///autost.db in the working directory)."


@click.group()
def results():
    """Read scored candidates from the database."""


@results.command("top")
@click.option("--study", required=True, help="Study name.")
@click.option("--storage", "storage_url", default=None, help=STORAGE_HELP)
@click.option("-k", "k", default=10, show_default=True, help="How many candidates.")
@click.option("--by", default=None,
              help="Score to rank by, NAME or NAME:max|min (default: the study's first "
                   "objective). Any stored score works, and accuracy once trained.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (raw values) instead.")
def top_command(study, storage_url, k, by, as_json, as_csv):
    """The K best feasible, complete candidates of a study, best first."""
    from autost.report import load_entries, render, top_entries
    from autost.report.export import score_names, text_table
    from autost.storage import open_storage

    if as_json and as_csv:
        raise click.UsageError("give at most one of --json and --csv")
    storage = open_storage(storage_url, create=False)
    entries = load_entries(storage, study)
    objective, top = top_entries(entries, by, k)
    shown = [objective, *(o for o in entries.objectives if o.name != objective.name)]
    if as_json or as_csv:
        click.echo(render(top, shown, "json" if as_json else "csv", title=study), nl=False)
        return
    names = [n for n in score_names(top, shown)
             if n in {o.name for o in shown} | {"params", "accuracy"}]
    click.echo(text_table(top, names), nl=False)
    click.echo(f"{len(top)} of {len(entries.complete([objective]))} feasible candidates by "
               f"{objective.spec}", err=True)


@results.command("show")
@click.argument("arch_id")
@click.option("--storage", "storage_url", default=None, help=STORAGE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
def show_command(arch_id, storage_url, as_json):
    """Show one candidate: ArchConfig, every stored score set with its per-layer breakdown,
    and its trainings. ARCH_ID may be a unique prefix."""
    from autost.report.candidate import describe_candidate
    from autost.report.export import jsonable, scaled
    from autost.report.scores import score_info
    from autost.storage import open_storage
    from autost.tables import aligned

    info = describe_candidate(open_storage(storage_url, create=False), arch_id)
    if as_json:
        click.echo(json.dumps(jsonable(info), indent=2, allow_nan=False))
        return
    click.echo(f"{info['arch_id']}\n{info['summary']}")
    click.echo(json.dumps(info["arch"], indent=2))
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
