"""Quantities such as 12M or 1.5G: one parser for the ceilings of flags and of space files.

``--max-params 250K`` on the command line and ``max_params = "250K"`` in a space file accept
the same forms and fail with the same words: a number (12000000, 1.5, 12e6, 12_000_000) with
an optional SI suffix (k or K = 10^3, M = 10^6, G = 10^9, T = 10^12).
"""

from __future__ import annotations

import math
import re

from autost.exceptions import AutostError

_SUFFIXES = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
_QUANTITY = re.compile(r"([0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)((?:[eE][+-]?[0-9]+)?)\s*([kKMGT]?)")
FORMS = "write e.g. 12M, 1.5G, 250k or 1.5"


def parse_quantity(raw, what: str, error: type[AutostError]) -> float:
    """``raw`` (a number, or text such as "12M") as a positive float; otherwise ``error``
    whose message starts with ``what`` (the flag or the space file's key) and says the forms
    accepted."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        match = _QUANTITY.fullmatch(text.removeprefix("-").lstrip())
        try:
            value = float(match[1] + match[2]) * _SUFFIXES[match[3]] if match else None
        except ValueError:  # underscores in the wrong places: 1__0, 1_
            value = None
        if value is None:
            raise error(f"{what} {raw!r} is not a number; {FORMS}")
        if text.startswith("-"):
            value = -value
    else:
        raise error(f"{what} {raw!r} is not a number; {FORMS}")
    if not math.isfinite(value) or value <= 0:
        raise error(f"{what} {raw!r} must be a positive number")
    return value
