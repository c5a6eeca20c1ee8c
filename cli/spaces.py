"""``autost spaces``: list, show and validate search spaces (a name or a .toml path)."""

import textwrap

import click

from autost.cli.options import echo_json, echo_rows, json_option, output_options
from autost.tables import aligned
from autost.wording import counted

SPACE = click.argument("space", metavar="NAME|FILE")


@click.group()
def spaces():
    """List, show and validate search spaces.

    A space is the name of a shipped space (see `autost spaces list`) or the path of your own
    TOML file; either works wherever a space is asked for.
    """


@spaces.command("list")
@output_options
def list_command(fmt):
    """List the named spaces: parameters per trial, architectures, whether a grid can list it."""
    from autost.space import space_rows

    rows = space_rows()
    table = [[r["name"], r["parameters"], _count(r["size"]), "yes" if r["finite"] else "no",
              r["description"]] for r in rows]
    echo_rows(fmt, rows, lambda: aligned(["name", "parameters", "architectures", "grid",
                                          "description"], table, {1, 2}))


@spaces.command("show")
@SPACE
@json_option()
def show_command(space, as_json):
    """Show one space: fixed fields, every parameter with its choices, constraints."""
    from autost.space import load_space

    info = load_space(space).describe()
    if as_json:
        echo_json(info)
        return
    data = info["dataset"]
    click.echo(f"space: {info['name']}  ({info['source']})")
    if info["description"]:
        click.echo(info["description"])
    click.echo(f"dataset: {data.get('dataset', '-')}, input {data.get('input_size', '-')}px, "
               f"{data.get('in_channels', '-')} channels, {data.get('num_classes', '-')} classes")
    click.echo("fixed: " + ", ".join(f"{k}={_value(v)}" for k, v in info["fixed"].items()))
    click.echo(f"parameters: up to {info['num_parameters']} per trial, "
               f"{counted(info['size'], 'architecture', _count(info['size']))}, grid: "
               f"{'yes' if info['finite'] else 'no'}")
    table = [[p["name"], _choices(p), _condition(p)] for p in info["parameters"]]
    click.echo(textwrap.indent(aligned(["name", "choices", "condition"], table), "  "),
               nl=False)
    if info["constraints"]:
        click.echo("constraints: " + ", ".join(f"{k} {v:g}"
                                               for k, v in info["constraints"].items()))


@spaces.command("validate")
@SPACE
@click.option("--samples", default=200, show_default=True,
              help="Architectures to sample and validate after parsing.")
def validate_command(space, samples):
    """Parse a space file, check every key, and validate sampled architectures."""
    from autost.space import load_space

    loaded = load_space(space)
    loaded.check(samples=samples)
    click.echo(f"OK: {loaded.label}: space '{loaded.name}', up to {loaded.num_parameters()} "
               f"parameters per trial, "
               f"{counted(loaded.size(), 'architecture', _count(loaded.size()))}, "
               f"{counted(samples, 'sample')} valid")


def _count(n: int) -> str:
    return str(n) if n < 1_000_000 else f"{n:.2e}"


def _value(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)


def _choices(p: dict) -> str:
    if "low" in p:
        step = f" step {p['step']}" if p["step"] != 1 else ""
        return f"{p['low']}..{p['high']}{step}"
    return ", ".join(map(str, p["choices"]))


def _condition(p: dict) -> str:
    parts = [f"{k} in {{{', '.join(v)}}}" for k, v in p.get("when", {}).items()]
    if "divides" in p:
        parts.append(f"only choices dividing the {p['divides']}")
    if "default" in p:
        parts.append(f"else {p['default']}")
    return "; ".join(parts)

