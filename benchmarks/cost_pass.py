"""The cost pass against fvcore and the rate pass against a bare forward, measured in one run.

For every preset and ``--random`` architectures sampled from a named space (seeded):
(a) ``count_costs(cfg)`` (meta-device build + shape pass, caches cleared: no part counted
    before, best of three) divided by fvcore's ``FlopCountAnalysis(...).total()`` on the
    same model built with real weights (trace of one calibration image on the CPU; the
    build is not timed); the two MAC totals must be identical. Target: at most 1/50. a'
    divides by the real build plus fvcore instead: both sides then go from an ArchConfig to
    the MAC count. a" times the cost pass with the model's parts already counted (what a
    search pays for a candidate whose splitter, stage modules, blocks and head earlier
    candidates had). f is the part of a
    spent building modules on the meta device (splitter, stage modules, each distinct
    block once, head; no weight initialisation): the floor of a for a cost pass that
    builds the model's modules, as issue 3's point 1 asks.
(b) ``measure_rates(model, batch)`` (BatchNorm on batch statistics, spike codes kept, as
    ``score_architecture`` runs it) divided by one bare ``model(batch)`` under no_grad in
    eval mode, on the same batch of digits images at the model's input size (16 images; 2
    for inputs above 64 pixels, whose forward at batch 16 takes minutes on a CPU); one
    warm-up forward first, then ``--repeats`` alternations, the best of each. Target: at
    most 1.3.
Torch runs ``--threads`` threads (1 by default, as search workers do). Times are the CPU
time of this process (``time.process_time``), which other jobs on a shared machine disturb
far less than wall-clock time; the summary also gives the wall-clock medians. A warm-up
counts one model of each patch splitter before the timings (first-call costs). Usage:
    python benchmarks/cost_pass.py [--random 50] [--space mixed] [--seed 0] [--repeats 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import torch

from autost.cost import count as count_module
from autost.cost import count_costs, measure_rates
from autost.cost.fvcore_check import fvcore_analysis
from autost.data.datasets import calibration_batch
from autost.models import create_model, list_presets
from autost.space import load_space

TARGET_COST, TARGET_RATE = 1 / 50, 1.3


def timed(fn) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def best_of(fn, repeats: int) -> tuple[float, float]:
    runs = [timed(fn) for _ in range(repeats)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def cold_count(cfg):
    count_module.cache_clear()
    return count_module._count_config(cfg)


def build_time_of_cold_count(cfg) -> float:
    """CPU seconds that one cold count spends in building modules."""
    spent, build = 0.0, count_module._build_on_meta

    def timed_build(*args):
        nonlocal spent
        start = time.process_time()
        try:
            return build(*args)
        finally:
            spent += time.process_time() - start

    count_module._build_on_meta = timed_build
    try:
        cold_count(cfg)
    finally:
        count_module._build_on_meta = build
    return spent


def measure(name: str, cfg, repeats: int) -> dict:
    cost = best_of(lambda: cold_count(cfg), 3)
    floor = min(build_time_of_cold_count(cfg) for _ in range(3))
    cached = best_of(lambda: count_module._count_config.__wrapped__(cfg), 3)
    report = count_costs(cfg)
    torch.manual_seed(0)
    model = None

    def build():
        nonlocal model
        model = create_model(cfg).eval()

    build_t = timed(build)
    size = 16 if cfg.input_size <= 64 else 2
    batch = calibration_batch("digits", cfg.input_size, cfg.in_channels, size, 0)
    fvcore_macs = None

    def analyse():
        nonlocal fvcore_macs
        fvcore_macs = fvcore_analysis(model, batch[:1]).total()

    fvcore = timed(analyse)
    if fvcore_macs != report.macs_total:
        raise AssertionError(f"{name}: fvcore {fvcore_macs} != cost pass {report.macs_total}")

    def bare():
        with torch.no_grad():
            model(batch)

    bare()
    rate_runs, bare_runs = [], []
    for _ in range(repeats):
        rate_runs.append(timed(lambda: measure_rates(model, batch)))
        bare_runs.append(timed(bare))
    rate = tuple(min(r[i] for r in rate_runs) for i in (0, 1))
    forward = tuple(min(r[i] for r in bare_runs) for i in (0, 1))
    return {"name": name, "params_m": report.params / 1e6,
            "macs_g": report.macs_per_step / 1e9, "T": cfg.timesteps, "cost_ms": 1e3 * cost[0],
            "fvcore_s": fvcore[0], "a": cost[0] / fvcore[0], "build_s": build_t[0],
            "a2": cost[0] / (build_t[0] + fvcore[0]), "a3": cached[0] / fvcore[0],
            "f": floor / fvcore[0],
            "batch": size, "bare_s": forward[0],
            "rate_s": rate[0], "b": rate[0] / forward[0], "a_wall": cost[1] / fvcore[1],
            "b_wall": rate[1] / forward[1]}


COLUMNS = [("name", "{}"), ("params_m", "{:.2f}"), ("macs_g", "{:.3f}"), ("T", "{}"),
           ("cost_ms", "{:.1f}"), ("fvcore_s", "{:.2f}"), ("a", "1/{:.0f}"), ("build_s", "{:.2f}"),
           ("a2", "1/{:.0f}"), ("a3", "1/{:.0f}"), ("f", "1/{:.0f}"), ("batch", "{}"),
           ("bare_s", "{:.2f}"), ("rate_s", "{:.2f}"), ("b", "{:.3f}")]
HEADERS = ["model", "params (M)", "MACs/step (G)", "T", "cost pass (ms)", "fvcore (s)",
           "a = cost/fvcore", "real build (s)", "a' = cost/(build+fvcore)",
           "a\" = cost, blocks cached/fvcore", "f = of a, module building", "batch",
           "forward (s)", "rate pass (s)", "b = rate/forward"]


def print_row(row: dict) -> None:
    cells = [fmt.format(1 / row[key] if fmt.startswith("1/") else row[key])
             for key, fmt in COLUMNS]
    print("| " + " | ".join(cells) + " |", flush=True)


def summary(label: str, rows: list[dict]) -> str:
    def med(key):
        return statistics.median(r[key] for r in rows)

    worst_a, worst_b = max(r["a"] for r in rows), max(r["b"] for r in rows)
    return (f"{label} ({len(rows)}): median a = 1/{1 / med('a'):.0f} (worst 1/"
            f"{1 / worst_a:.0f}), median a' = 1/{1 / med('a2'):.0f}, median a\" = 1/"
            f"{1 / med('a3'):.0f}, median f = 1/{1 / med('f'):.0f}; median b = "
            f"{med('b'):.3f} (worst {worst_b:.3f}); wall clock: median a = "
            f"1/{1 / med('a_wall'):.0f}, median b = {med('b_wall'):.3f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=50)
    parser.add_argument("--space", default="mixed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-presets", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    space = load_space(args.space)
    rng = random.Random(args.seed)
    sampled = [(f"{args.space}-{i}", space.sample(rng)) for i in range(args.random)]
    presets = [] if args.no_presets else [(p.name, p.config) for p in list_presets()]
    start = time.perf_counter()
    for cfg in {c.patch_splitter: c for _, c in presets + sampled}.values():
        cold_count(cfg.replace(mask_ratio=0.25))
    print(f"warm-up (first meta-device calls of the process): "
          f"{time.perf_counter() - start:.1f} s; torch threads {args.threads}", flush=True)
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "---|" * len(HEADERS))
    rows = {"presets": [], "random": []}
    for group, models in (("presets", presets), ("random", sampled)):
        for name, cfg in models:
            row = measure(name, cfg, args.repeats)
            rows[group].append(row)
            print_row(row)
    print()
    for group in ("presets", "random"):
        if rows[group]:
            print(summary(group, rows[group]))
    everything = rows["presets"] + rows["random"]
    print(summary("all", everything))
    ok = (statistics.median(r["a"] for r in everything) <= TARGET_COST
          and statistics.median(r["b"] for r in everything) <= TARGET_RATE)
    print(f"targets: a <= 1/50, b <= {TARGET_RATE}: {'met' if ok else 'NOT met'} (medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
