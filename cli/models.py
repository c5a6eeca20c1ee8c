"""``autost models``: list the named presets and show one preset's architecture."""

import click

from autost.cli.options import echo_json, echo_rows, json_option, output_options
from autost.tables import aligned, to_json


def _published(row: dict) -> str:
    if row["exact_params"] is not None:
        return f"{row['exact_params']:,}"
    return "-" if row["published_params_m"] is None else f"{row['published_params_m']:.2f} M"


@click.group()
def models():
    """List and inspect named preset models."""


@models.command("list")
@output_options
def list_command(fmt: str):
    """List presets with family, dataset and parameter count (built on the meta device)."""
    from autost.models import preset_rows

    presets = preset_rows()
    rows = [[p["name"], p["family"], p["dataset"], f"{p['params']:,}", _published(p)]
            for p in presets]
    headers = ["name", "family", "dataset", "params", "published"]
    echo_rows(fmt, presets, lambda: aligned(headers, rows, {3, 4}))


@models.command("show")
@click.argument("name")
@json_option()
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
        echo_json({"name": name, "arch_id": cfg.arch_id, "params": total,
                   "config": cfg.to_dict(), "modules": table})
        return
    click.echo(f"{name}  {cfg.summary()}  arch_id {cfg.arch_id[:12]}")
    click.echo(to_json(cfg.to_dict()))
    click.echo()
    rows = [[r["module"], r["kind"], f"{r['params']:,}"] for r in table]
    rows.append(["total", "", f"{total:,}"])
    click.echo(aligned(["module", "kind", "params"], rows, {2}), nl=False)
