"""Reports on a study: Pareto fronts, top-k listings, exports, plots and a report folder.

Proxy-versus-accuracy rank correlations live in :mod:`autost.report.correlation`.
Matplotlib and plotly are imported only when a plot is drawn.
"""

from autost.proxies.objective import Objective, parse_objective
from autost.report.entries import Entry, StudyEntries, load_entries
from autost.report.export import render
from autost.report.folder import write_report
from autost.report.pareto import Front, non_dominated, pareto_front, pareto_rows
from autost.report.scores import SCORES
from autost.report.top import spread_entries, top_entries

__all__ = [
    "SCORES",
    "Entry",
    "Front",
    "Objective",
    "StudyEntries",
    "load_entries",
    "non_dominated",
    "parse_objective",
    "pareto_front",
    "pareto_rows",
    "render",
    "spread_entries",
    "top_entries",
    "write_report",
]
