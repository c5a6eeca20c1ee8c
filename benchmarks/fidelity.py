"""Proxy fidelity on Fashion-MNIST: ``autost fidelity --preset cpu`` on three named spaces.

Per space it prints every proxy's Kendall tau against validation accuracy with its bootstrap
95 % interval, the partial tau given FLOPs (what a proxy adds beyond FLOPs), the noise
ceiling (tau between two training seeds) and the horizon check (tau between the preset's
epochs and twice as many). Three combined predictors are judged, none of them chosen on the
data it is judged on:

- ``rank``: the label-free rank aggregate of a proxy set fixed in advance
  (``autost.report.fidelity.AGGREGATED``);
- ``ridge CV``: the ridge combiner on every proxy, by its out-of-fold predictions within
  the space (5-fold);
- ``ridge transfer``: the ridge combiner fitted on the other spaces' trainings and used on
  this one (what ``autost calibrate`` on earlier studies gives a new space).

For each, the targets:

- nowhere worse than flops by more than 0.05 in tau;
- adds information beyond FLOPs (partial tau interval above zero) on at least two spaces;
- at least 0.8 of the noise ceiling on average.

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
MARGIN = 0.05  # how much worse than flops a combined predictor may be
CEILING_SHARE = 0.8
TRANSFER = "ridge transfer"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def good_rows(run) -> list[dict]:
    return [r for r in run.rows if r["status"] == "ok"]


def transfer_rows(runs: dict) -> dict[str, dict]:
    """Per space, the fidelity row of a ridge fitted on every other space's trainings; its
    predictions are added to the space's rows."""
    import numpy as np

    from autost.report.calibrate import feature_matrix, predict_other
    from autost.report.fidelity import CONTROL, proxy_fidelity

    proxies = next(iter(runs.values())).proxies
    rows = [(space, r) for space, run in runs.items() for r in good_rows(run)]
    features, _, _ = feature_matrix({p: [r[p] for _, r in rows] for p in proxies})
    accuracy = np.array([r["accuracy"] for _, r in rows])
    spaces = np.array([space for space, _ in rows])
    result = {}
    for space, run in runs.items():
        mine = spaces == space
        predicted = predict_other(features[~mine], accuracy[~mine], features[mine])
        by_arch = dict(zip((r["arch_id"] for r in good_rows(run)), predicted, strict=True))
        for r in run.rows:  # for the scatter plot and the architectures table
            r[TRANSFER] = by_arch.get(r["arch_id"])
        result[space] = proxy_fidelity(TRANSFER, predicted, accuracy[mine],
                                       [r[CONTROL] for r in good_rows(run)], run.seed)
    return result


def combined_names(table: list[dict], proxies) -> list[str]:
    return [row["proxy"] for row in table if row["proxy"] not in proxies]


def space_report(space: str, table: list[dict], checks: list[dict], seconds: float) -> str:
    """Printed text of one space."""
    from autost.report.fidelity_files import fidelity_text

    flops = next(r for r in table if r["proxy"] == "flops")
    ceiling = checks[0]
    at = " (flops' interval reaches it)" if flops["kendall_tau_high"] >= ceiling[
        "kendall_tau"] else ""
    return (f"== {space}: {flops['n']} architectures, {seconds:.0f} s ==\n"
            + fidelity_text(table, checks)
            + f"flops {flops['kendall_tau']:+.3f}; noise ceiling "
              f"{ceiling['kendall_tau']:+.3f}{at}\n")


def targets(tables: dict[str, list[dict]], checks: dict[str, list[dict]],
            predictors: list[str]) -> str:
    """The three targets for every combined predictor, met or not, over the spaces."""
    lines = []
    need = min(2, len(tables))
    for name in predictors:
        worse, beyond, shares = [], [], []
        for space, table in tables.items():
            flops = next(r for r in table if r["proxy"] == "flops")
            row = next(r for r in table if r["proxy"] == name)
            ceiling = checks[space][0]["kendall_tau"]
            if row["kendall_tau"] < flops["kendall_tau"] - MARGIN:
                worse.append(f"{space} {row['kendall_tau']:+.2f} vs {flops['kendall_tau']:+.2f}")
            if row["partial_tau_flops_low"] > 0:
                beyond.append(space)
            if ceiling > 0:
                shares.append(row["kendall_tau"] / ceiling)
        share = sum(shares) / len(shares) if shares else math.nan
        lines += [
            f"{name}:",
            f"  within {MARGIN} of flops everywhere: "
            + ("met" if not worse else f"NOT met ({'; '.join(worse)})"),
            f"  adds information beyond FLOPs on >= {need} spaces: "
            + ("met" if len(beyond) >= need else "NOT met") + f" ({', '.join(beyond) or 'none'})",
            f"  mean share of the noise ceiling {share:.2f} (target {CEILING_SHARE}): "
            + ("met" if share >= CEILING_SHARE else "NOT met"),
        ]
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
    runs, tables, checks, seconds = {}, {}, {}, {}
    with ray_session():
        for space in args.spaces:
            began = time.perf_counter()
            runs[space] = run_fidelity(storage, space, preset="cpu", samples=args.samples,
                                       log=log)
            tables[space], checks[space] = summarize(runs[space])
            seconds[space] = time.perf_counter() - began
    if len(runs) > 1:
        for space, row in transfer_rows(runs).items():
            tables[space].append(row)
    for space, run in runs.items():
        write_fidelity(run.rows, tables[space], checks[space], Path(args.out) / space,
                       run.title)
        print(space_report(space, tables[space], checks[space], seconds[space]), flush=True)
    first = next(iter(runs))
    print(targets(tables, checks, combined_names(tables[first], runs[first].proxies)), end="")
    print(f"wall time {time.perf_counter() - start:.0f} s for {', '.join(args.spaces)}")


if __name__ == "__main__":
    main()
