"""Options and output shared by every command: ``--storage``, ``--json``/``--csv``, checked
values.

As in sqlite-utils, a listing renders its rows one of three ways: an aligned table for
reading (the default), ``--json`` or ``--csv`` with raw values for scripts. Every JSON
output writes a non-finite number as null (:func:`autost.tables.to_json`).
"""

import functools

import click

STORAGE_HELP = "Database URL (default: sqlite:///autost.db in the working directory)."
FORMATS = ("table", "json", "csv")


def storage_option(note: str = ""):
    """The ``--storage URL`` option, passed to the command as ``storage_url``."""
    return click.option("--storage", "storage_url", default=None, metavar="URL",
                        help=f"{STORAGE_HELP} {note}".strip())


def optional_storage(storage_url: str | None):
    """The database at ``storage_url``; with no URL the default one where it exists, else
    None (for commands that also work without a database, never creating one)."""
    from autost.exceptions import StorageError
    from autost.storage import open_storage

    try:
        return open_storage(storage_url, create=False)
    except StorageError:
        if storage_url is not None:
            raise
        return None


def output_options(command):
    """Give ``command`` ``--json`` and ``--csv`` (at most one); it is called with ``fmt``,
    one of :data:`FORMATS`."""

    @functools.wraps(command)
    def with_format(*args, as_json: bool, as_csv: bool, **kwargs):
        if as_json and as_csv:
            raise click.UsageError("give at most one of --json and --csv")
        fmt = "json" if as_json else "csv" if as_csv else "table"
        return command(*args, fmt=fmt, **kwargs)

    with_format = click.option("--csv", "as_csv", is_flag=True,
                               help="Print CSV (raw values) instead of a table.")(with_format)
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (raw values) instead of a table.")(with_format)


def json_option(what: str = "one JSON object"):
    """``--json`` alone, for a command that prints one object rather than rows."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} instead.")


def echo_rows(fmt: str, records: list[dict], table, document=None) -> None:
    """Print ``records`` as CSV, or as JSON (``document`` instead where the command's JSON
    holds more than the rows), or ``table()``: text for reading."""
    from autost.tables import csv_text, to_json

    if fmt == "json":
        click.echo(to_json(records if document is None else document))
    elif fmt == "csv":
        click.echo(csv_text(records), nl=False)
    else:
        click.echo(table(), nl=False)


def echo_json(obj) -> None:
    """Print ``obj`` as indented JSON, a non-finite number as null."""
    from autost.tables import to_json

    click.echo(to_json(obj))


class Checked(click.ParamType):
    """A value the library checks (a sampler name, a quantity); its error, which names the
    value and what to give instead, is misuse (exit 2) rather than bad input."""

    def __init__(self, check, metavar: str):
        self.check, self.name = check, metavar

    def convert(self, value, param, ctx):
        from autost.exceptions import AutostError

        try:
            return self.check(value, param.opts[0] if param else "value")
        except AutostError as e:
            raise click.UsageError(str(e), ctx) from e


class ProxyList(click.ParamType):
    """Comma-separated proxy names, e.g. ``flops,energy``; an unknown name is misuse."""

    name = "NAMES"

    def convert(self, value, param, ctx):
        from autost.exceptions import UnknownNameError
        from autost.proxies import get_proxy

        if isinstance(value, tuple):
            return value
        names = tuple(n.strip() for n in value.split(",") if n.strip())
        if not names:
            self.fail("give proxy names separated by commas, e.g. flops,energy", param, ctx)
        for name in names:
            try:
                get_proxy(name)
            except UnknownNameError as e:
                self.fail(str(e), param, ctx)
        return names
