"""Proxy fidelity on Fashion-MNIST: ``autost fidelity --preset cpu`` on three named spaces.

Per space it prints every proxy's Kendall tau against validation accuracy with its bootstrap
95 % interval, the partial tau given FLOPs (what a proxy adds beyond FLOPs), the noise
ceiling (tau between two training seeds) and the horizon check (tau between the preset's
epochs and twice as many), then whether the targets hold for the best predictor, here the
proxy other than flops with the highest tau in each space (a choice made on the same data,
so optimistic; the issue sets the targets for the best combined predictor):

- the best predictor is nowhere worse than flops by more than 0.05 in tau;
- it adds information beyond FLOPs (partial tau interval above zero) on at least two spaces;
- it reaches at least 0.8 of the noise ceiling on average.

Every score and training lands in the database; a rerun trains and scores only what is
missing (a proxy registered since is scored, nothing is retrained). About an hour of two
CPU cores for three spaces from an empty database. Usage:
    python benchmarks/fidelity.py [--spaces mixed spikformer stmixer] [--storage URL]
                                  [--out DIR] [--samples N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

SPACES = ("mixed", "spikformer", "stmixer")
MARGIN = 0.05  # how much worse than flops the best predictor may be
CEILING_SHARE = 0.8


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def best_predictor(table: list[dict]) -> dict:
    """The row with the highest tau among the proxies other than flops (ties: first); chosen
    on the data it is judged on, so its tau is an optimistic estimate."""
    others = [r for r in table if r["proxy"] != "flops" and math.isfinite(r["kendall_tau"])]
    return max(others, key=lambda r: r["kendall_tau"])


def space_report(space: str, table: list[dict], checks: list[dict], seconds: float
                 ) -> tuple[str, dict]:
    """Printed text of one space and the figures the targets need."""
    from autost.report.fidelity_files import fidelity_text

    flops = next(r for r in table if r["proxy"] == "flops")
    best = best_predictor(table)
    ceiling = checks[0]["kendall_tau"]
    figures = {"space": space, "best": best["proxy"], "best_tau": best["kendall_tau"],
               "flops_tau": flops["kendall_tau"], "ceiling": ceiling,
               "beyond_flops": best["partial_tau_flops_low"] > 0,
               "flops_at_ceiling": flops["kendall_tau_high"] >= ceiling}
    text = (f"== {space}: {flops['n']} architectures, {seconds:.0f} s ==\n"
            + fidelity_text(table, checks)
            + f"best proxy other than flops: {best['proxy']} (tau "
              f"{best['kendall_tau']:+.3f}); flops {flops['kendall_tau']:+.3f}; noise ceiling "
              f"{ceiling:+.3f}"
            + (" (flops' interval reaches the ceiling)" if figures["flops_at_ceiling"] else "")
            + "\n")
    return text, figures


def targets(figures: list[dict]) -> str:
    """The three targets, each met or not, from the per-space figures."""
    worse = [f["space"] for f in figures if f["best_tau"] < f["flops_tau"] - MARGIN]
    beyond = [f["space"] for f in figures if f["beyond_flops"]]
    shares = [f["best_tau"] / f["ceiling"] for f in figures if f["ceiling"] > 0]
    share = sum(shares) / len(shares) if shares else math.nan
    need = min(2, len(figures))
    lines = [
        f"best predictor within {MARGIN} of flops everywhere: "
        + ("met" if not worse else f"NOT met ({', '.join(worse)})"),
        f"adds information beyond FLOPs on >= {need} spaces: "
        + ("met" if len(beyond) >= need else "NOT met")
        + f" ({', '.join(beyond) or 'none'})",
        f"mean share of the noise ceiling {share:.2f} (target {CEILING_SHARE}): "
        + ("met" if share >= CEILING_SHARE else "NOT met"),
    ]
    at_ceiling = [f["space"] for f in figures if f["flops_at_ceiling"]]
    if at_ceiling:
        lines.append(f"flops alone reaches the noise ceiling on: {', '.join(at_ceiling)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", nargs="+", default=list(SPACES))
    parser.add_argument("--storage", default="sqlite:///fidelity.db")
    parser.add_argument("--out", default="fidelity", help="Folder for one subfolder per space.")
    parser.add_argument("--samples", type=int, default=None)
    args = parser.parse_args()

    from autost.report.fidelity import summarize
    from autost.report.fidelity_files import write_fidelity
    from autost.storage import open_storage
    from autost.train.fidelity import run_fidelity
    from autost.train.tuning import ray_session

    storage = open_storage(args.storage)
    start = time.perf_counter()
    figures = []
    with ray_session():
        for space in args.spaces:
            began = time.perf_counter()
            run = run_fidelity(storage, space, preset="cpu", samples=args.samples, log=log)
            table, checks = summarize(run)
            write_fidelity(run.rows, table, checks, Path(args.out) / space, run.title)
            text, numbers = space_report(space, table, checks, time.perf_counter() - began)
            print(text, flush=True)
            figures.append(numbers)
    print(targets(figures), end="")
    print(f"wall time {time.perf_counter() - start:.0f} s for {', '.join(args.spaces)}")


if __name__ == "__main__":
    main()
