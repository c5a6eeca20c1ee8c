"""The report of a scatter run: correlations, scatter.png (accuracy vs MACs by mixer
family) and two CSV tables.

The figure follows STMixer's figure 8: one point per random architecture, trained accuracy
against FLOPs (MACs per image, total over T, log scale), one marker and colour per token-mixer
family. The correlation of every proxy is written beside it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autost.exceptions import ReportError
from autost.report.correlation import correlation_table
from autost.report.export import save_figure, subplots, write_text
from autost.tables import csv_text

MARKERS = {"conv": ("s", "tab:blue"), "ssa": ("o", "tab:orange"), "stm": ("^", "tab:green"),
           "qk_token": ("v", "tab:red"), "qk_channel": ("<", "tab:purple"),
           "emsa": ("P", "tab:brown"), "sdsa": ("X", "tab:pink"), "mixed": ("D", "tab:gray")}


def plot_scatter(rows: Sequence[dict], path: Path, title: str, note: str = "") -> None:
    """Accuracy (%) against MACs (millions, log x) of the trained rows, by mixer family."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = subplots(figsize=(6.4, 4.8), dpi=120)
    trained = [r for r in rows if r["status"] == "ok" and r["accuracy"] is not None]
    for family in sorted({r["family"] for r in trained}, key=lambda f: (f == "mixed", f)):
        marker, colour = MARKERS.get(family, ("*", "black"))
        points = [r for r in trained if r["family"] == family]
        ax.scatter([r["flops"] / 1e6 for r in points], [r["accuracy"] for r in points],
                   marker=marker, c=colour, label=f"{family} ({len(points)})", alpha=0.85,
                   edgecolors="black", linewidths=0.5, s=40)
    ax.set_xscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlabel("FLOPs: M MACs per image, total over T (log scale)")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title(f"{title}\n{note}" if note else title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    if trained:
        ax.legend(title="token mixer", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def correlation_text(correlations: Sequence[dict]) -> str:
    """The correlation table as aligned text for a terminal."""
    from autost.tables import aligned

    headers = list(correlations[0]) if correlations else ["proxy"]
    cells = [[_fmt(row[h]) for h in headers] for row in correlations]
    return aligned(headers, cells)


def _fmt(value):
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:+.3f}"
    return value


def write_outputs(rows: Sequence[dict], correlations: Sequence[dict], out_dir: Path,
                  title: str) -> dict[str, Path]:
    """Write scatter.csv, correlations.csv and scatter.png into ``out_dir`` (created)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"cannot create {str(out_dir)!r}: {e.strerror}; choose another "
                          "--out folder") from e
    files = {"scatter.csv": out_dir / "scatter.csv",
             "correlations.csv": out_dir / "correlations.csv",
             "scatter.png": out_dir / "scatter.png"}
    write_text(files["scatter.csv"], csv_text(rows))
    write_text(files["correlations.csv"], csv_text(correlations))
    flops = next((c for c in correlations if c["proxy"] == "flops"), None)
    note = (f"FLOPs vs accuracy: Kendall tau {_fmt(flops['kendall_tau'])}, Spearman rho "
            f"{_fmt(flops['spearman_rho'])}" if flops else "")
    plot_scatter(rows, files["scatter.png"], title, note)
    return files


@dataclass(frozen=True)
class ScatterReport:
    """One row per architecture, the correlation table and the files written."""

    rows: list[dict]
    correlations: list[dict]
    files: dict[str, Path]


def write_scatter_report(run, out_dir: str | Path) -> ScatterReport:
    """Correlate every proxy of ``run`` (a ScatterRun) with trained accuracy; write the files."""
    ok = [r for r in run.rows if r["status"] == "ok"]
    correlations = correlation_table({p: [r[p] for r in ok] for p in run.proxies},
                                     [r["accuracy"] for r in ok])
    files = write_outputs(run.rows, correlations, Path(out_dir), run.title)
    return ScatterReport(run.rows, correlations, files)
