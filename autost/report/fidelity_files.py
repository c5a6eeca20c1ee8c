"""Files of a fidelity study: the tables as CSV, tau per proxy, one scatter per proxy.

``fidelity.csv`` has one row per proxy (tau, rho, precision at the top 25 %, partial tau
given FLOPs, each with its interval), ``checks.csv`` the noise ceiling and the horizon
check, ``architectures.csv`` one row per architecture with every score and accuracy.
``tau.png`` puts every proxy's Kendall tau against accuracy (dot) and its bootstrap 95 %
interval (bar) beside the noise ceiling (shaded: the interval of tau between two training
seeds), so a proxy whose bar reaches the band ranks accuracy as well as training does.
``scatter/<proxy>.png`` shows accuracy against the proxy's value per architecture.
"""

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

from autost.exceptions import ReportError
from autost.report.bootstrap import Estimate
from autost.report.export import save_figure, subplots, write_text
from autost.report.scores import score_info
from autost.tables import csv_text

DPI = 110
LOG_SPAN = 100  # a positive proxy spanning more than this factor is drawn on a log axis
TITLE_CHARS = 70  # a line of a 9-point title, well inside a 6.4-inch figure


def with_interval(row: dict, column: str, spec: str = "+.2f") -> str:
    """E.g. "+0.52 [+0.31, +0.70]" (numbers in format ``spec``); "nan" where the value is
    undefined."""
    value = row[column]
    if not math.isfinite(value):
        return "nan"
    low, high = row[f"{column}_low"], row[f"{column}_high"]
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{value:{spec}} [nan]"
    return f"{value:{spec}} [{low:{spec}}, {high:{spec}}]"


def fidelity_text(table: Sequence[dict], checks: Sequence[dict]) -> str:
    """The proxy table and the checks as aligned text for a terminal."""
    from autost.tables import aligned

    headers = ["proxy", "n", "kendall tau [95 % CI]", "spearman rho", "precision top 25 %",
               "partial tau | flops"]
    columns = ("kendall_tau", "spearman_rho", "precision_top25", "partial_tau_flops")
    text = aligned(headers, [[row["proxy"], row["n"], *(with_interval(row, c) for c in columns)]
                             for row in table], right={1})
    text += "\n" + aligned(["check", "n", "kendall tau [95 % CI]"],
                           [[c["check"], c["n"], with_interval(c, "kendall_tau")]
                            for c in checks], right={1})
    return text


def plot_taus(table: Sequence[dict], ceiling: Estimate, path: Path, title: str) -> None:
    """Kendall tau of each proxy with its interval, the noise ceiling as a shaded band."""
    save_figure(tau_figure(table, ceiling, title), path)


def tau_figure(table: Sequence[dict], ceiling: Estimate, title: str):
    """The figure of :func:`plot_taus`. The legend sits below the axes, outside the data,
    and the title is wrapped to the figure's width: the layout engine makes room for both
    but neither moves a legend off the data nor shortens a line of text."""
    fig, ax = subplots(figsize=(6.4, 0.45 * len(table) + 2.4), dpi=DPI, layout="constrained")
    names = [row["proxy"] for row in table]
    ys = list(range(len(table)))[::-1]
    taus = [row["kendall_tau"] for row in table]
    low = [t - row["kendall_tau_low"] for t, row in zip(taus, table, strict=True)]
    high = [row["kendall_tau_high"] - t for t, row in zip(taus, table, strict=True)]
    if math.isfinite(ceiling.low) and math.isfinite(ceiling.high):
        ax.axvspan(ceiling.low, ceiling.high, color="tab:green", alpha=0.15,
                   label=f"noise ceiling {ceiling.value:+.2f} [{ceiling.low:+.2f}, "
                         f"{ceiling.high:+.2f}]")
    if math.isfinite(ceiling.value):
        ax.axvline(ceiling.value, color="tab:green", lw=1)
    ax.errorbar(taus, ys, xerr=[low, high], fmt="o", color="tab:blue", ecolor="tab:blue",
                capsize=3, label="Kendall tau, 95 % bootstrap interval")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ys, names)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Kendall tau against validation accuracy")
    fig.suptitle(textwrap.fill(title, TITLE_CHARS), fontsize=9)
    ax.grid(True, axis="x", alpha=0.3)
    fig.legend(fontsize=7, loc="outside lower center")
    return fig


def plot_proxy_scatter(rows: Sequence[dict], row: dict, path: Path, title: str) -> None:
    """Accuracy (%) against one proxy's value, the proxy's tau and interval in the title."""
    name = row["proxy"]
    points = [(r[name], r["accuracy"]) for r in rows
              if r["accuracy"] is not None and math.isfinite(r[name])]
    fig, ax = subplots(figsize=(4.8, 3.8), dpi=DPI)
    ax.scatter([p[0] for p in points], [p[1] for p in points], s=25, alpha=0.8,
               edgecolors="black", linewidths=0.5)
    xs = [p[0] for p in points]
    if xs and min(xs) > 0 and max(xs) > LOG_SPAN * min(xs):
        ax.set_xscale("log")
    ax.set_xlabel(score_info(name).label)
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title(f"{title}\n{name}: tau {row['kendall_tau']:+.2f} "
                 f"[{row['kendall_tau_low']:+.2f}, {row['kendall_tau_high']:+.2f}], n "
                 f"{row['n']}", fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path)


def make_folders(out_dir: Path) -> None:
    """Create ``out_dir`` and its scatter folder; ReportError naming it when that fails.

    Called before a study starts too, so a bad --out fails before any training.
    """
    try:
        (out_dir / "scatter").mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"cannot create {str(out_dir)!r}: {e.strerror}; choose another "
                          "--out folder") from e


def write_fidelity(rows: Sequence[dict], table: Sequence[dict], checks: Sequence[dict],
                   out_dir: Path, title: str) -> dict[str, Path]:
    """Write the three CSV tables, tau.png and scatter/<proxy>.png into ``out_dir``."""
    make_folders(out_dir)
    files = {name: out_dir / name
             for name in ("fidelity.csv", "checks.csv", "architectures.csv", "tau.png")}
    write_text(files["fidelity.csv"], csv_text(table))
    write_text(files["checks.csv"], csv_text(checks))
    write_text(files["architectures.csv"], csv_text(rows))
    ceiling = checks[0]
    plot_taus(table, Estimate(ceiling["kendall_tau"], ceiling["kendall_tau_low"],
                              ceiling["kendall_tau_high"]), files["tau.png"], title)
    trained = [r for r in rows if r["status"] == "ok"]
    for row in table:
        path = out_dir / "scatter" / f"{row['proxy']}.png"
        plot_proxy_scatter(trained, row, path, title)
        files[f"scatter/{row['proxy']}.png"] = path
    return files
