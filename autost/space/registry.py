"""Find spaces by name (the TOML files shipped in ``search_spaces/``) or by file path."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from autost.exceptions import InvalidSpaceError, UnknownSpaceError, unknown_name
from autost.space.language import parse_space
from autost.space.space import SearchSpace

# Names that open another named space.
ALIASES = {"autost": "autost-small"}


def _shipped() -> dict:
    root = files("autost.search_spaces")
    return {p.name.removesuffix(".toml"): p for p in root.iterdir() if p.name.endswith(".toml")}


def is_shipped(space: SearchSpace) -> bool:
    """Whether ``space`` is a named space as shipped (any machine can load it by name)."""
    shipped = _shipped().get(space.name)
    return shipped is not None and space.source == str(shipped)


def list_spaces() -> list[str]:
    """Names of the shipped spaces, aliases included."""
    return sorted([*_shipped(), *ALIASES])


def space_rows() -> list[dict]:
    """Every named space: parameters per trial, number of architectures, whether a grid
    can list it, and its description (what ``autost spaces list`` prints)."""
    rows = []
    for name in list_spaces():
        space = load_space(name)
        rows.append({
            "name": name, "parameters": space.num_parameters(), "size": space.size(),
            "finite": space.is_finite(), "alias_of": ALIASES.get(name),
            "description": (f"alias of {ALIASES[name]}" if name in ALIASES
                            else space.description),
        })
    return rows


def load_space(name_or_path: str) -> SearchSpace:
    """Load a named space (``stmixer``) or a space file (``./my_space.toml``).

    A name is looked up first; a string ending in ``.toml`` or containing a path separator,
    or naming an existing file, is read as a path. Raises UnknownSpaceError for neither,
    InvalidSpaceError for a malformed file.
    """
    shipped = _shipped()
    name = ALIASES.get(name_or_path, name_or_path)
    if name in shipped:
        return _read(shipped[name], f"search_spaces/{name}.toml", str(shipped[name]), name)
    path = Path(name_or_path)
    looks_like_path = name_or_path.endswith(".toml") or "/" in name_or_path or (
        os.sep in name_or_path)
    if path.is_file():
        return _read(path, name_or_path, str(path.resolve()), path.stem)
    if looks_like_path:
        raise UnknownSpaceError(
            f"space file {name_or_path!r} does not exist; give a named space "
            f"({', '.join(list_spaces())}) or the path of a .toml file"
        )
    error = unknown_name("space", name_or_path, list_spaces(), UnknownSpaceError)
    raise UnknownSpaceError(f"{error} (a space can also be the path of a .toml file)")


def _read(path, label: str, source: str, default_name: str) -> SearchSpace:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidSpaceError(f"{label}: cannot read the space file: {e}") from e
    return parse_space(text, label=label, source=source, default_name=default_name)
