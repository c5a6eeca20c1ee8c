"""Seconds per candidate of every registered proxy, scored alone, on architectures of a space.

For ``--samples`` architectures drawn uniformly from ``--space`` (seeded), each proxy is
computed alone by ``score_architecture`` (a fresh scoring context: its own model build,
calibration pass or gradient pass; the calibration batch is loaded once beforehand), as a
search that optimizes only that proxy pays for it, plus the three proxies that share one
gradient pass (snip, grad_norm, zico) together. Times are this process's CPU time
(``time.process_time``, which other jobs on a shared machine disturb less than wall time),
with torch on one thread as search workers run. The summary gives the median per proxy,
its ratio to sahd (the rate pass, the data-dependent proxy autost had before) measured in
the same run, and what 500 candidates would cost on two workers. Usage:
    python benchmarks/proxy_cost.py [--space stmixer] [--samples 8] [--seed 0]
        [--dataset digits] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import torch

from autost.proxies import ScoreSettings, list_proxies, score_architecture
from autost.space import load_space

SHARED = ("snip", "grad_norm", "zico")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="stmixer")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    torch.set_num_threads(1)
    space = load_space(args.space)
    rng = random.Random(args.seed)
    cfgs = [space.sample(rng) for _ in range(args.samples)]
    settings = ScoreSettings(rates="prior", dataset=args.dataset, batch_size=args.batch_size)
    score_architecture(cfgs[0], ["sahd"], settings)  # load the calibration batch once
    runs = {name: [name] for name in list_proxies()} | {"+".join(SHARED): list(SHARED)}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for cfg in cfgs:
        for name, proxies in runs.items():
            start = time.process_time()
            score_architecture(cfg, proxies, settings)
            times[name].append(time.process_time() - start)
        print(f"{cfg.summary()}: " + ", ".join(f"{n} {t[-1]:.2f}" for n, t in times.items()),
              flush=True)
    base = statistics.median(times["sahd"])
    print(f"\n{args.samples} {args.space} architectures, {args.batch_size} {args.dataset} "
          "images, CPU s per candidate (median), one thread")
    print(f"{'proxy':<20}{'s':>8}{'x sahd':>9}{'500 on 2 workers':>19}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<20}{median:>8.3f}{median / base:>9.2f}{median * 250 / 60:>15.1f} min")


if __name__ == "__main__":
    main()
