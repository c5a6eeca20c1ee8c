"""``autost models``: list the named presets and show one preset's architecture."""

import json

import click

from autost.tables import aligned


def _published(row: dict) -> str:
    if row["exact_params"] is not None:
        return f"{row['exact_params']:,}"
    return "-" if row["published_params_m"] is None else f"{row['published_params_m']:.2f} M"


@click.group()
def models():
    """List and inspect named preset models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_command(as_json: bool):
    """List presets with family, dataset and parameter count (built on the meta device)."""
    from autost.models import preset_rows

    presets = preset_rows()
    if as_json:
        click.echo(json.dumps(presets, indent=2))
        return
    rows = [[p["name"], p["family"], p["dataset"], f"{p['params']:,}", _published(p)]
            for p in presets]
    headers = ["name", "family", "dataset", "params", "published"]
    click.echo(aligned(headers, rows, {3, 4}), nl=False)


@models.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
def show_command(name: str, as_json: bool):
    """Show preset NAME: its ArchConfig JSON and a per-module parameter table."""
    import torch

    from autost.models import create_model, get_preset, parameter_table

    cfg = get_preset(name)
    with torch.device("meta"):
        model = create_model(cfg)
    table = parameter_table(model)
    total = sum(r["params"] for r in table)
    if as_json:
        click.echo(json.dumps({"name": name, "arch_id": cfg.arch_id, "params": total,
                               "config": cfg.to_dict(), "modules": table}, indent=2))
        return
    click.echo(f"{name}  {cfg.summary()}  arch_id {cfg.arch_id[:12]}")
    click.echo(json.dumps(cfg.to_dict(), indent=2))
    click.echo()
    rows = [[r["module"], r["kind"], f"{r['params']:,}"] for r in table]
    rows.append(["total", "", f"{total:,}"])
    click.echo(aligned(["module", "kind", "params"], rows, {2}), nl=False)
