"""autost's command line: a lazy click group over the library.

Subcommands live in their own modules and are imported only when invoked, so
``autost --help`` and ``autost --version`` import neither torch nor Ray.
"""

if __name__ != "autost.cli":  # pragma: no cover - guards `import cli` from the repo root
    raise ImportError("import this package as autost.cli, not as " + __name__)

from autost.cli._group import main  # noqa: E402

__all__ = ["main"]
