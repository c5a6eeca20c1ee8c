"""The root ``autost`` group: lazy subcommand loading and the single ``Error:`` line.

Misuse of the command line exits 2: an unknown option, a value out of range or not among the
choices, and any name of something autost ships that it does not know (a space, preset,
proxy, objective, sampler or dataset: the library's UnknownNameError), whether click or the
library resolves it. Any other library error (bad input: a file, a database, a study or
candidate the database does not hold) exits 1. Both print one ``Error:`` line with the cause
and the remedy, and neither prints click's usage block.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import click

from autost import __version__
from autost.exceptions import AutostError, UnknownNameError, unknown_name

# name -> "module:attribute"; each module is imported only when its command runs.
COMMANDS = {
    "models": ("autost.cli.models:models", "List and inspect named preset models."),
    "spaces": ("autost.cli.spaces:spaces", "List, show and validate search spaces."),
    "score": ("autost.cli.score:score", "Score one architecture by every proxy."),
    "search": ("autost.cli.search:search", "Search a space: sample, score and store."),
    "worker": ("autost.cli.search:worker", "Join an existing study as a worker."),
    "results": ("autost.cli.results:results", "Read scored candidates from the database."),
    "pareto": ("autost.cli.pareto:pareto", "Export the Pareto front of a study."),
    "report": ("autost.cli.report:report", "Write a report folder for a study."),
    "train": ("autost.cli.train:train", "Train the top candidates of a study briefly."),
    "reproduce": ("autost.cli.reproduce:reproduce", "Reproduce figures (accuracy vs FLOPs)."),
    "calibrate": ("autost.cli.calibrate:calibrate",
                  "Fit a proxy combination on the trained accuracies."),
    "predictors": ("autost.cli.predictors:predictors",
                   "List, show and rebuild predictors of trained accuracy."),
    "fidelity": ("autost.cli.fidelity:fidelity",
                 "Measure how well every proxy ranks trained accuracy."),
    "serve": ("autost.cli.serve:serve", "Serve the database: JSON API, pages, job queue."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use; its help imports none."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[name][0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:
                return None
            raise
        return getattr(module, attr)

    def resolve_command(self, ctx, args):
        if args and args[0] not in COMMANDS and not ctx.resilient_parsing:
            raise Misuse(str(unknown_name("command", args[0], COMMANDS)), ctx)
        return super().resolve_command(ctx, args)

    def make_context(self, info_name, args, parent=None, **extra):
        with _one_line_misuse():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx):
        with _one_line_misuse():
            try:
                return super().invoke(ctx)
            except UnknownNameError as e:
                raise Misuse(str(e), ctx) from e
            except AutostError as e:
                raise click.ClickException(str(e)) from e

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class Misuse(click.UsageError):
    """A usage error shown as one ``Error:`` line, like every other error (exit 2)."""

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


@contextmanager
def _one_line_misuse() -> Iterator[None]:
    """Turn click's usage errors (usage block, hint, message) into a :class:`Misuse`; a
    group called without a command still prints its help."""
    try:
        yield
    except (click.exceptions.NoArgsIsHelpError, Misuse):
        raise
    except click.UsageError as e:
        raise Misuse(e.format_message(), e.ctx) from e


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="autost")
def main():
    """autost: training-free architecture search for spiking transformers."""
