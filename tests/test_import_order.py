"""Stages import only downward: a module never imports one of a higher stage.

Every import of an ``autost`` module counts, at module level or inside a function (the lazy
imports that keep ``autost --help`` fast), and so does a module path written as a string
(the lazy name tables of the package ``__init__`` files); imports under ``TYPE_CHECKING``
do not run and are left out. Two packages of one stage never import each other. The order
is the one the README's layout table lists.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lowest first. The root package (``autost/__init__.py``, ``__main__``) is the public facade:
# importing it (for ``__version__``) is allowed from anywhere and it may import anything.
STAGES = (
    ("wording",),  # plurals, which error messages use too
    ("exceptions", "search_spaces"),  # search_spaces: the TOML files of the named spaces
    ("arch", "tables", "lifeline", "lazy", "quantity"),
    ("layers", "space", "surrogate"),
    ("models",),
    ("cost",),
    ("data",),
    ("proxies",),
    ("storage",),
    ("search",),
    ("report", "train"),
    ("service",),
    ("cli",),
)
LEVEL = {name: level for level, names in enumerate(STAGES) for name in names}
_MODULE_STRING = re.compile(r"autost(\.[a-z_][a-z0-9_]*)+")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = ["autost", *rel.parts] if rel.parts[0] == "cli" else list(rel.parts)
    return ".".join(p for p in parts if p != "__init__")


def _stage(module: str) -> str | None:
    """The stage (top-level package or module under autost) of a dotted name."""
    parts = module.split(".")
    if parts[0] != "autost" or len(parts) == 1 or parts[1] == "__main__":
        return None
    return parts[1]


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(n) for n in ast.walk(node))
    return hidden


def imports_of(source: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every autost import in ``source`` that can run."""
    tree = ast.parse(source)
    hidden = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "autost":
            found.append((node.lineno, "autost"))  # the root facade
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and _MODULE_STRING.fullmatch(node.value)):
            found.append((node.lineno, node.value))
    return [(line, name) for line, name in found if name.startswith("autost")]


def upward_imports(path: Path, source: str) -> list[str]:
    """One line per import of ``source`` that goes up (or sideways between two packages)."""
    here = _stage(_module_name(path))
    if here is None:
        return []
    bad = []
    for line, target in imports_of(source):
        there = _stage(target)
        if there is None or there == here:
            continue
        if LEVEL[there] >= LEVEL[here]:
            bad.append(f"{path.relative_to(ROOT)}:{line}: {here} (stage {LEVEL[here]}) imports "
                       f"{target} ({there}, stage {LEVEL[there]})")
    return bad


def _sources() -> list[Path]:
    return sorted([*(ROOT / "autost").rglob("*.py"), *(ROOT / "cli").rglob("*.py")])


def test_every_package_has_a_stage():
    packages = {p.name for p in (ROOT / "autost").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "autost").glob("*.py")} - {"__init__", "__main__"}
    assert sorted((packages | modules | {"cli"}) - set(LEVEL)) == []


def test_no_stage_imports_a_higher_one():
    bad = [line for path in _sources() for line in upward_imports(path, path.read_text())]
    assert bad == []


@pytest.mark.parametrize(("source", "expected"), [
    ("from autost.report.top import top_entries\n",
     ["autost/proxies/base.py:1: proxies (stage 7) imports autost.report.top.top_entries "
      "(report, stage 10)"]),
    ("def f():\n    import autost.search.api\n",
     ["autost/proxies/base.py:2: proxies (stage 7) imports autost.search.api "
      "(search, stage 9)"]),
    ("_LAZY = {'x': 'autost.train.loop'}\n",
     ["autost/proxies/base.py:1: proxies (stage 7) imports autost.train.loop "
      "(train, stage 10)"]),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from autost.search import api\n",
     []),
    ("from autost.cost import count_costs\nfrom autost import __version__\n", []),
])
def test_the_check_sees_upward_imports_in_every_form(source, expected):
    assert upward_imports(ROOT / "autost" / "proxies" / "base.py", source) == expected


def test_two_packages_of_one_stage_may_not_import_each_other():
    assert upward_imports(ROOT / "autost" / "train" / "scatter.py",
                          "from autost.report import correlation\n") == [
        "autost/train/scatter.py:1: train (stage 10) imports autost.report.correlation "
        "(report, stage 10)"]
