"""Render report entries as CSV, JSON, Markdown or an aligned text table.

CSV and JSON carry raw values (units in the column names, e.g. ``energy [mJ per image]``)
for scripts; Markdown and text tables show scaled values (params and MACs in millions)
for reading. JSON writes a non-finite score as null (autost.tables.to_json).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autost.exceptions import ReportError
from autost.proxies.objective import Objective
from autost.report.entries import Entry
from autost.report.scores import SCORE_ORDER, raw_header, score_info
from autost.tables import aligned, csv_text, markdown, to_json

FORMATS = ("csv", "json", "md")
SHORT_ID = 12


def score_names(entries: Sequence[Entry], objectives: Sequence[Objective]) -> list[str]:
    """Objectives first, then the known scores in their usual order, then any others."""
    present = {n for e in entries for n in e.scores}
    first = [o.name for o in objectives]
    known = [n for n in SCORE_ORDER if n in present and n not in first]
    rest = sorted(present - set(first) - set(known))
    return first + known + rest


def render(entries: Sequence[Entry], objectives: Sequence[Objective], fmt: str,
           title: str = "") -> str:
    """``entries`` as text in ``fmt`` (csv, json or md)."""
    names = score_names(entries, objectives)
    if fmt == "csv":
        return _csv(entries, names)
    if fmt == "json":
        return _json(entries, names, objectives, title)
    if fmt == "md":
        return markdown(*_display(entries, names))
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def brief_table(entries: Sequence[Entry], objectives: Sequence[Objective]) -> str:
    """What a command prints for reading: the objectives, params and accuracy (scaled)."""
    keep = {o.name for o in objectives} | {"params", "accuracy"}
    return text_table(entries, [n for n in score_names(entries, objectives) if n in keep])


def text_table(entries: Sequence[Entry], names: Sequence[str]) -> str:
    """An aligned plain-text table of scores ``names`` (scaled values), for a terminal."""
    return aligned(*_display(entries, names))


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path``; an unwritable path is a ReportError naming it."""
    try:
        Path(path).write_text(text)
    except OSError as e:
        raise ReportError(f"cannot write {str(path)!r}: {e.strerror}; check the folder "
                          "exists and is writable") from e


def import_matplotlib():
    """(FigureCanvasAgg, Figure): the two matplotlib classes a file figure needs, whose
    import is about 0.6 s, most of a small report's fixed cost."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return FigureCanvasAgg, Figure


def subplots(*, figsize, dpi, layout=None, **grid):
    """A matplotlib Figure and its axes (``Figure.subplots(**grid)``), for files only.

    The Figure is made directly on an Agg canvas, not through pyplot: nothing is shown, the
    rendering is the same everywhere and no figure is kept in pyplot's global registry, so
    none needs closing; pyplot's own import cost a report a tenth of its time on a
    10,000-trial study.
    """
    canvas, figure = import_matplotlib()
    fig = figure(figsize=figsize, dpi=dpi, layout=layout)
    canvas(fig)
    return fig, fig.subplots(**grid)


def save_figure(fig, path) -> None:
    """Save a matplotlib figure to ``path``; an unwritable path is a ReportError."""
    try:
        fig.savefig(path)
    except OSError as e:
        raise ReportError(f"cannot write {str(path)!r}: {e.strerror}; check the folder "
                          "is writable") from e


def scaled(name: str, value) -> str:
    """A value for reading: divided by the score's display scale, 4 significant digits."""
    if value is None:
        return ""
    return f"{value / score_info(name).scale:.4g}"


def _csv(entries, names) -> str:
    rows = []
    for e in entries:
        row = {"trial": e.trial, "arch_id": e.arch_id}
        row.update({raw_header(n): e.scores.get(n) for n in names})
        row.update({"rate_source": e.rate_source, "summary": e.summary})
        rows.append(row)
    return csv_text(rows, ["trial", "arch_id", *map(raw_header, names), "rate_source",
                           "summary"])


def _json(entries, names, objectives, title) -> str:
    doc = {
        "study": title,
        "objectives": [o.spec for o in objectives],
        "units": {n: score_info(n).unit for n in names},
        "rows": [{
            "trial": e.trial, "arch_id": e.arch_id,
            "scores": {n: e.scores.get(n) for n in names},
            "rate_source": e.rate_source, "summary": e.summary,
            "arch": e.arch.to_dict() if e.arch is not None else None,
        } for e in entries],
    }
    return to_json(doc) + "\n"


def _display(entries, names) -> tuple[list[str], list[list[str]]]:
    headers = ["trial", "arch_id", *(score_info(n).label for n in names), "rates",
               "architecture"]
    rows = [[str(e.trial), (e.arch_id or "")[:SHORT_ID],
             *(scaled(n, e.scores.get(n)) for n in names), e.rate_source or "", e.summary]
            for e in entries]
    return headers, rows
