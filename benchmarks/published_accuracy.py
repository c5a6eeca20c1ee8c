"""Training-free scores against the published record: Kendall tau with published top-1.

Every row of ``autost.models.published`` (46 full-size architectures with the top-1 their
papers report on ImageNet, CIFAR-10 and CIFAR-100) is scored at full size, untrained, by
every registered proxy: cost proxies at the ``prior`` firing rates, data-dependent ones
calibrated on ``digits`` (one batch of ``--batch-size`` images, 16 by default, resized to the
model's input; 8 halves the memory of the largest ImageNet rows). A predictor
(``--predictor NAME``; default: the first built-in one, if the package ships any) scores
each row through its own surrogate and score settings, as a search does. Per dataset it
prints Kendall tau of each score against published top-1, with its bootstrap 95 % interval
and n; flops and params are the references any score should beat. Nothing is fitted here:
the record is a test set. A positive tau means larger scores go with higher top-1 (read
energy, sops, params and flops as "bigger models are more accurate").

Scores land in the database (``--storage``), keyed by architecture and score settings, so a
rerun scores only what is missing. The ImageNet rows take most of the time: the
data-dependent proxies run forward and backward at 224x224 (up to 384x384). Usage:
    python benchmarks/published_accuracy.py [--storage URL] [--predictor NAME]
                                            [--proxies NAME ...] [--datasets NAME ...]
                                            [--skip MODEL ...] [--batch-size N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from autost.models.published import DATASETS, RECORD
from autost.report.record import record_taus

SPACE = "published"  # the space name the rows are stored under
REFERENCES = ("flops", "params")


def default_predictor() -> str | None:
    """The first built-in predictor's name; None where the package ships none."""
    from autost.proxies.builtin import builtin_names

    names = builtin_names()
    return names[0] if names else None


def score_record(storage, record, proxies, settings, predictor, log) -> list[dict]:
    """One dict per row of ``record``: dataset, model, top1, every proxy and ``predicted``."""
    from autost.proxies import ScoreSettings
    from autost.storage.score_sets import complete_scores

    predictor_settings = (ScoreSettings(**predictor.score_settings)
                          if predictor is not None else None)
    rows = []
    for i, row in enumerate(record, 1):
        cfg = row.config()
        storage.add_candidate(cfg, SPACE)
        start = time.perf_counter()
        values, scored = complete_scores(storage, cfg, proxies, settings)
        entry = {"dataset": row.dataset, "model": row.model, "top1": row.top1, **values}
        if predictor is not None:
            inputs, _ = complete_scores(storage, cfg, predictor.proxies, predictor_settings)
            entry["predicted"] = predictor.predict(inputs)
            entry["outside"] = predictor.outside_range(inputs)
        rows.append(entry)
        if scored:
            log(f"scored {i}/{len(record)} {row.model} ({row.dataset}) by "
                f"{len(scored)} proxies in {time.perf_counter() - start:.0f} s")
    return rows


def print_table(rows, columns, datasets) -> None:
    table = record_taus(rows, columns, datasets)
    print(f"{'dataset':9} {'score':12} {'n':>3} {'tau':>6}  95 % interval")
    for dataset in datasets:
        mine = [r for r in table if r["dataset"] == dataset]
        for r in sorted(mine, key=lambda r: (r["score"] not in REFERENCES, -_key(r))):
            tag = "  (reference)" if r["score"] in REFERENCES else ""
            print(f"{dataset:9} {r['score']:12} {r['n']:3d} {r['kendall_tau']:+6.2f}  "
                  f"[{r['low']:+.2f}, {r['high']:+.2f}]{tag}")
        print()


def _key(row) -> float:
    return row["kendall_tau"] if math.isfinite(row["kendall_tau"]) else -math.inf


def main() -> int:
    from autost.proxies import ScoreSettings, list_proxies

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", default="sqlite:///published.db")
    parser.add_argument("--predictor", default=None,
                        help="a built-in or stored predictor (default: the built-in one)")
    parser.add_argument("--proxies", nargs="+", default=None,
                        help="proxies to score (default: every registered one)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS,
                        help="the record's datasets to score (ImageNet takes the longest)")
    parser.add_argument("--skip", nargs="+", default=[], metavar="MODEL",
                        help="rows left out by model name, e.g. those this machine lacks the "
                             "memory to score (the data-dependent proxies of QKFormer "
                             "HST-10-768 at 288x288 took more than 22 GB)")
    parser.add_argument("--batch-size", type=int, default=16,
                        help="images of the data-dependent proxies' batch (default 16; the "
                             "scores are stored per batch size)")
    opts = parser.parse_args()
    from autost.exceptions import AutostError
    from autost.search.derived import load_predictor
    from autost.storage import open_storage

    proxies = opts.proxies or list(list_proxies())
    unknown = sorted(set(proxies) - set(list_proxies()))
    if unknown:
        print(f"Error: unknown proxies {', '.join(unknown)}; registered: "
              f"{', '.join(list_proxies())}", file=sys.stderr)
        return 1
    unknown_models = sorted(set(opts.skip) - {r.model for r in RECORD})
    if unknown_models:
        print(f"Error: no published row is named {', '.join(unknown_models)}; see "
              "autost.models.published.RECORD", file=sys.stderr)
        return 1
    record = [r for r in RECORD if r.dataset in opts.datasets and r.model not in opts.skip]
    try:
        settings = ScoreSettings(rates="prior", dataset="digits", batch_size=opts.batch_size)
    except AutostError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    storage = open_storage(opts.storage)
    name = opts.predictor or default_predictor()
    try:
        predictor = load_predictor(storage, name) if name else None
    except AutostError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        rows = score_record(storage, record, proxies, settings, predictor,
                            lambda m: print(m, file=sys.stderr, flush=True))
    finally:
        storage.close()
    print(f"{len(rows)} published rows scored or reused in {time.perf_counter() - start:.0f} s "
          f"({settings.key()})\n")
    columns = [*REFERENCES, *(p for p in proxies if p not in REFERENCES)]
    if predictor is None:
        print("no predictor row: the package ships no built-in predictor and none was given "
              "(--predictor NAME)\n")
    else:
        columns.append("predicted")
        clipped = sum(bool(r["outside"]) for r in rows)
        print(f"predicted: {predictor.describe()}; {clipped} of {len(rows)} rows have an "
              "input outside its fitted range (clipped to the edge)\n")
    print_table(rows, columns, opts.datasets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
