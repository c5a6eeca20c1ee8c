"""Plot a Pareto front: every feasible candidate faded, the front highlighted and joined.

PNG through matplotlib (Agg backend, fixed size, so a report looks the same everywhere);
HTML through plotly where it is installed. With more than two objectives the plot shows
the first two; the highlighted points are the front over all of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autost.exceptions import ReportError
from autost.proxies.objective import Objective
from autost.report.export import subplots
from autost.report.pareto import Front
from autost.report.scores import score_info

PNG_SIZE_IN = (8.0, 6.0)
PNG_DPI = 100  # 800 x 600 pixels
ANNOTATE_MAX = 20  # label front points with trial numbers up to this many


def plot_front(front: Front, path: str | Path) -> Path:
    """Write the plot to ``path``; its suffix (.png or .html) picks the format."""
    path = Path(path)
    draw = {".png": _png, ".html": _html}.get(path.suffix.lower())
    if draw is None:
        raise ReportError(f"cannot plot to {str(path)!r}: give a .png or .html file name")
    try:
        draw(front, path)
    except OSError as e:
        raise ReportError(f"cannot write {str(path)!r}: {e.strerror}; check the folder "
                          "exists and is writable") from e
    return path


def axis_label(objective: Objective) -> str:
    """E.g. "flops: MACs per image, total over T (M) - higher is better"."""
    better = "higher" if objective.maximize else "lower"
    return f"{score_info(objective.name).label} - {better} is better"


def _xy(front: Front, entries) -> tuple[np.ndarray, np.ndarray]:
    points = front.points(entries)[:, :2]
    scale = np.array([score_info(o.name).scale for o in front.objectives[:2]])
    return points[:, 0] / scale[0], points[:, 1] / scale[1]


def _title(front: Front) -> str:
    extra = (f" (front over {', '.join(o.name for o in front.objectives)})"
             if len(front.objectives) > 2 else "")
    return (f"Pareto front of study '{front.study_name}': {len(front.members)} of "
            f"{len(front.candidates)} feasible candidates{extra}")


def _png(front: Front, path: Path) -> None:
    fig, ax = subplots(figsize=PNG_SIZE_IN, dpi=PNG_DPI)
    ax.scatter(*_xy(front, front.candidates), s=14, color="0.55", alpha=0.35,
               label="feasible candidates")
    fx, fy = _xy(front, front.members)
    order = np.argsort(fx, kind="stable")
    ax.plot(fx[order], fy[order], "-o", color="tab:red", markersize=6, linewidth=1.5,
            label="Pareto front")
    if len(front.members) <= ANNOTATE_MAX:
        for e, x, y in zip(front.members, fx, fy, strict=True):
            ax.annotate(f"#{e.trial}", (x, y), textcoords="offset points", xytext=(4, 4),
                        fontsize=7)
    x_obj, y_obj = front.objectives[:2]
    ax.set_xlabel(axis_label(x_obj))
    ax.set_ylabel(axis_label(y_obj))
    ax.set_title(_title(front), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=PNG_DPI)


def _html(front: Front, path: Path) -> None:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise ReportError(
            f"cannot write {str(path)!r}: HTML plots need plotly, which is not installed; "
            "pip install plotly, or give a .png file"
        ) from None
    fx, fy = _xy(front, front.members)
    order = np.argsort(fx, kind="stable")
    members = [front.members[i] for i in order]
    fig = go.Figure()
    fig.add_scatter(x=_xy(front, front.candidates)[0], y=_xy(front, front.candidates)[1],
                    mode="markers", name="feasible candidates", opacity=0.35,
                    marker={"color": "gray"},
                    text=[f"#{e.trial} {e.summary}" for e in front.candidates])
    fig.add_scatter(x=fx[order], y=fy[order], mode="lines+markers", name="Pareto front",
                    marker={"color": "red"},
                    text=[f"#{e.trial} {e.summary}" for e in members])
    x_obj, y_obj = front.objectives[:2]
    fig.update_layout(title=_title(front), xaxis_title=axis_label(x_obj),
                      yaxis_title=axis_label(y_obj))
    fig.write_html(path, include_plotlyjs=True)
