"""The root ``autost`` group: lazy subcommand loading and the single ``Error:`` line."""

import importlib

import click

from autost import __version__
from autost.exceptions import AutostError

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

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AutostError as e:
            raise click.ClickException(str(e)) from e

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="autost")
def main():
    """autost: training-free architecture search for spiking transformers."""
