"""How much the energy model matters to a search: Pareto fronts under compute and memory.

For each space, ``--samples`` architectures are drawn uniformly (seeded) and scored with the
cost-only proxies and prior rates: ``flops`` (AutoST's accuracy proxy, maximized) against
``energy`` (minimized) under the compute model and under the memory model (``horowitz45``
and ``yan-typical``, weights stationary). The table gives each front's size, the overlap
of the memory fronts with the compute front (members in common / members of either: the
Jaccard index), and the mean time steps, width and depth of each front's members.

Usage:
    python benchmarks/energy_fronts.py [--samples 300] [--seed 0] [--space stmixer ...]
"""

from __future__ import annotations

import argparse
import random
import statistics

import numpy as np

from autost.proxies import ScoreSettings, score_architecture
from autost.search.dominance import non_dominated
from autost.space import load_space

MODELS = {"compute": ScoreSettings(rates="prior"),
          "memory h45": ScoreSettings(rates="prior", energy_model="memory"),
          "memory yan": ScoreSettings(rates="prior", energy_model="memory",
                                      hardware="yan-typical")}


def distinct_samples(space, n: int, seed: int) -> list:
    """Up to ``n`` distinct architectures drawn uniformly (at most 20 n draws)."""
    rng, found = random.Random(seed), {}
    for _ in range(20 * n):
        cfg = space.sample(rng)
        found.setdefault(cfg.arch_id, cfg)
        if len(found) == n:
            break
    return list(found.values())


def front(cfgs, values: list[dict], model: str) -> set[str]:
    points = np.array([[v["compute"]["flops"], v[model]["energy"]] for v in values])
    return {cfgs[i].arch_id for i in non_dominated(points, ["max", "min"])}


def describe(members, by_id) -> str:
    chosen = [by_id[a] for a in members]
    mean = {k: statistics.fmean(getattr(c, k) for c in chosen)
            for k in ("timesteps", "embed_dim", "depth")}
    return (f"T {mean['timesteps']:.2f}  width {mean['embed_dim']:.0f}  "
            f"depth {mean['depth']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--space", action="append", default=None)
    opts = parser.parse_args()
    for name in opts.space or ["stmixer", "spikformer"]:
        cfgs = distinct_samples(load_space(name), opts.samples, opts.seed)
        values = [{model: score_architecture(c, ["flops", "energy"], s).values
                   for model, s in MODELS.items()} for c in cfgs]
        by_id = {c.arch_id: c for c in cfgs}
        fronts = {model: front(cfgs, values, model) for model in MODELS}
        base = fronts["compute"]
        print(f"{name}: {len(cfgs)} architectures, flops:max against energy:min")
        for model, members in fronts.items():
            common = len(members & base)
            print(f"  {model:11} front {len(members):3}  in common with compute {common:3}  "
                  f"Jaccard {common / len(members | base):.2f}  {describe(members, by_id)}")
        print(f"  {'all':11} {len(cfgs):9}  {'':36}{describe(by_id, by_id)}")


if __name__ == "__main__":
    main()
