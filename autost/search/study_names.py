"""The rule for a study's name, shared by ``autost search`` and the service.

A study name becomes part of page addresses (``/studies/NAME``), folder names of reports
and command lines, so it takes a space's name rule (the default study name is the space's):
letters, digits and ``-_.``, starting with a letter or digit (no ``..``, no ``/``, nothing a
shell or a URL would read otherwise), and at most :data:`MAX_LENGTH` characters. A search
checks it before it opens the database, so a refused name leaves no file; reports read
existing studies under any name.
"""

from __future__ import annotations

from autost.exceptions import SearchConfigError
from autost.space.language import NAME

MAX_LENGTH = 128


def check_study_name(name: str) -> str:
    """``name`` if a new study may take it; SearchConfigError saying why not otherwise."""
    if not NAME.fullmatch(name) or len(name) > MAX_LENGTH:
        raise SearchConfigError(
            f"study name {name!r} is not allowed: use letters, digits and -_. (starting with "
            f"a letter or digit, at most {MAX_LENGTH} characters), e.g. --study my-search.1")
    return name
