"""Rows as text: an aligned table for the terminal, Markdown, CSV and JSON.

The one renderer of every command's output and of the report files. JSON has no NaN or
infinity: :func:`to_json` writes a non-finite number as null (as the JSON API does), so any
JSON reader can parse what autost prints. Kept free of heavy imports, so commands that only
list things stay fast.
"""

import csv
import io
import json
import math
from collections.abc import Collection, Sequence


def aligned(headers: Sequence[str], rows: Sequence[Sequence], right: Collection[int] = ()
            ) -> str:
    """Plain text table: a header, a dashed rule, one line per row; columns in ``right``
    (numbers) are right-aligned."""
    cells = [[str(c) for c in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join(map(line, [cells[0], ["-" * w for w in widths], *cells[1:]])) + "\n"


def markdown(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A Markdown (GitHub) table; a ``|`` inside a cell is escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def csv_text(records: Sequence[dict], columns: Sequence[str] = ()) -> str:
    """Dict rows as CSV, raw values: ``columns`` first (the header of an empty listing),
    then the keys of the rows in the order they first appear."""
    keys = dict.fromkeys(columns)
    for row in records:
        keys.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(keys), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def jsonable(obj):
    """``obj`` with every non-finite float replaced by None, recursively (strict JSON)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    return obj


def to_json(obj, indent: int | None = 2) -> str:
    """``obj`` as strict JSON text, every non-finite number written as null."""
    return json.dumps(jsonable(obj), indent=indent, allow_nan=False)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
