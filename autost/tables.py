"""Aligned plain-text tables for the terminal (every command's default output).

Kept free of heavy imports, so commands that only list things stay fast.
"""

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


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
