"""Does the CPU recipe order published ablations the way their papers do?

Every ablation pair of the published record (``autost.models.published``: two
configurations of one series on one dataset, e.g. Spikformer-8-512 at T = 2 and T = 6 on
ImageNet) has a published order, which of the two has the higher top-1. Each configuration's
surrogate (``--surrogate``: the preset's by default, ``keep8`` for ``cpu``: 8x8 input with
patch size 4, a quarter of the width, every block, time step and mixer kept; ``keep16`` the
same at 16x16, about three times the cost; ImageNet and CIFAR configurations shrink alike)
is trained with the fidelity study's ``cpu`` recipe (Fashion-MNIST, one epoch of 160
batches of 64) for seeds 0 and 1, and again for twice the epochs (seed 0), ``--cpus``
trainings at a time, the most MACs first. It prints:

- per series and dataset, the pairs the surrogate (mean accuracy over the two seeds) orders
  as the paper does;
- that share over all pairs and over the pairs whose published gap is at least 1 point,
  with Wilson 95 % intervals (``autost.report.ablation``);
- the noise ceiling: the share of pairs the two seeds order alike;
- the horizon check: Kendall tau between the 1x and 2x epoch accuracies over the configs;
- the baseline: the same shares for the full-size configurations' FLOPs (bigger is better);
- beyond pairs, per dataset, Kendall tau of the surrogate's accuracy with published top-1
  over every row of the series, beside the full-size model's FLOPs.

Targets: at least 80 % of the >= 1 point pairs, horizon tau at least 0.7, a training of
about 40 CPU-seconds at most (each training's seconds are printed). By default every series
of the record on every dataset: 70 pairs over 33 configurations, 99 trainings (about 95
minutes of two cores with keep8, three times that with keep16). The CIFAR-10 and CIFAR-100
versions of one architecture have the same surrogate on Fashion-MNIST, so it is trained
once (stored with 10 classes). Every training lands in the database, keyed by architecture
and recipe, so a rerun trains only what is missing. Usage:
    python benchmarks/ablation_agreement.py [--storage URL] [--series NAME ...]
                                            [--datasets NAME ...] [--preset cpu|test]
                                            [--surrogate NAME] [--cpus N] [--no-horizon]
                                            [--count]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace

from autost.models.published import RECORD
from autost.report.ablation import ablation_pairs, agreements, self_agreements, share
from autost.report.bootstrap import bootstrap
from autost.report.correlation import kendall_tau
from autost.report.record import record_taus
from autost.train.fidelity import PRESETS

# The ablations presets and ArchConfig express whose dimension survives the surrogate
# (QKFormer's input-size series does not: every surrogate has one input size).
ALL_SERIES = ("spikformer-timesteps", "spikformer-size", "qkformer-timesteps",
              "qkformer-mixers", "qkformer-size", "sdt-size", "sdt-timesteps")
DATASETS = ("ImageNet", "CIFAR10", "CIFAR100")
TARGET_SHARE, TARGET_HORIZON, MIN_GAP = 0.8, 0.7, 1.0
SPACE = "published"  # the space name the configs are stored under


def training_configs(rows) -> dict:
    """row -> the ArchConfig trained for it (10 classes: the surrogate trains on
    Fashion-MNIST whatever the published dataset, so CIFAR-10 and CIFAR-100 share one)."""
    return {r: r.config().replace(num_classes=10, name=r.model) for r in rows}


def _rows(pairs) -> list:
    return list(dict.fromkeys(r for p in pairs for r in (p.better, p.worse)))


def _train(storage, cfgs, settings, log) -> dict:
    from autost.train.scatter import train_all

    trained = train_all(storage, cfgs, settings, address=None, log=log)
    return {a: acc for a, (status, acc, _, _) in trained.items() if status == "ok"}


def _seconds(storage, cfgs, settings) -> dict:
    """arch_id -> the stored training's wall seconds (its epochs, validation included)."""
    from autost.train.records import cached_trainings

    rows = cached_trainings(storage, [c.arch_id for c in cfgs], settings)
    return {a: r.seconds for a, r in rows.items()}


def longest_first(cfgs, surrogate: str) -> list:
    """``cfgs`` by their surrogate's MACs, most first, so the last to start are the
    shortest and no CPU waits long at the end of a run."""
    from autost.cost.count import count_costs
    from autost.surrogate import get_surrogate

    shrink = get_surrogate(surrogate)
    return sorted(cfgs, key=lambda c: -count_costs(shrink.apply(c)).macs_total)


def _fmt(s) -> str:
    return f"{s.k}/{s.n} = {s.value:.2f} [{s.low:.2f}, {s.high:.2f}]"


def print_pairs_table(pairs, mean, seed0, seed1) -> None:
    print(f"{'series':22} {'dataset':9} {'pairs':>5} {'agree':>5} {'>=1pt':>5} "
          f"{'agree':>5} {'seeds agree':>11}")
    for key in dict.fromkeys((p.series, p.dataset) for p in pairs):
        group = [p for p in pairs if (p.series, p.dataset) == key]
        wide = [p for p in group if p.gap >= MIN_GAP]
        print(f"{key[0]:22} {key[1]:9} {len(group):5d} {sum(agreements(group, mean)):5d} "
              f"{len(wide):5d} {sum(agreements(wide, mean)):5d} "
              f"{sum(self_agreements(group, seed0, seed1)):11d}")


def full_size_flops(rows) -> dict:
    """row -> its full-size configuration's FLOPs (the flops proxy: MACs over T), the
    baseline beside the surrogate's accuracy."""
    from autost.cost.count import count_costs

    return {r: count_costs(r.config()).macs_total for r in rows}


def print_record_taus(rows, mean, flops, datasets) -> None:
    """Kendall tau with published top-1 per dataset: the surrogate's mean accuracy and the
    full-size FLOPs, over the same rows."""
    table = [{"dataset": r.dataset, "top1": r.top1, "surrogate accuracy": mean[r],
              "flops": flops[r]} for r in rows]
    print("\nKendall tau with published top-1 over the series' rows (95 % bootstrap):")
    for t in record_taus(table, ["surrogate accuracy", "flops"], datasets):
        print(f"  {t['dataset']:9} {t['score']:19} n = {t['n']:2d}  {t['kendall_tau']:+.2f} "
              f"[{t['low']:+.2f}, {t['high']:+.2f}]")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", default="sqlite:///ablation.db")
    parser.add_argument("--series", nargs="+", default=list(ALL_SERIES), choices=ALL_SERIES,
                        help="the series to judge (default: every one of the record)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--preset", default="cpu", choices=("cpu", "test"),
                        help="the fidelity recipe (test: synthetic data, seconds, for CI)")
    parser.add_argument("--surrogate", choices=("keep16", "keep8"),
                        help="the shrink trained in each configuration's place (default: "
                             "the preset's, keep8 for cpu)")
    parser.add_argument("--cpus", type=int, default=1,
                        help="trainings at a time (one thread each)")
    parser.add_argument("--no-horizon", action="store_true",
                        help="train seeds 0 and 1 only, not twice the epochs (two thirds of "
                             "the time; no horizon check)")
    parser.add_argument("--count", action="store_true",
                        help="print the pairs and configurations to train, train nothing")
    opts = parser.parse_args(argv)
    whole = ablation_pairs(RECORD, ALL_SERIES)
    print(f"the record holds {len(whole)} ablation pairs the surrogate can order "
          f"({len(set(training_configs(_rows(whole)).values()))} configurations); this run "
          f"takes the series {', '.join(opts.series)} on {', '.join(opts.datasets)}")
    pairs = [p for p in ablation_pairs(RECORD, opts.series) if p.dataset in opts.datasets]
    rows = _rows(pairs)
    cfg_of = training_configs(rows)
    main_settings = PRESETS[opts.preset].settings(0, None)
    if opts.surrogate is not None:
        main_settings = replace(main_settings, surrogate=opts.surrogate)
    distinct = longest_first({c.arch_id: c for c in cfg_of.values()}.values(),
                             main_settings.surrogate)
    recipes = [main_settings, replace(main_settings, seed=1)]
    if not opts.no_horizon:
        recipes.append(replace(main_settings, epochs=2 * main_settings.epochs))
    print(f"{len(pairs)} pairs ({sum(p.gap >= MIN_GAP for p in pairs)} with a published gap "
          f">= {MIN_GAP:g} point) over {len(rows)} published rows; {len(distinct)} distinct "
          f"configurations to train, {len(recipes) * len(distinct)} trainings (seeds 0 and 1"
          + ("" if opts.no_horizon else ", and twice the epochs") + ")")
    if opts.count:
        for cfg in distinct:
            print(f"  {cfg.name:34} {cfg.summary()}")
        return 0

    import ray

    from autost.storage import open_storage
    from autost.train.tuning import start_local_ray

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    storage = open_storage(opts.storage)
    for cfg in distinct:
        storage.add_candidate(cfg, SPACE)
    start = time.perf_counter()
    own_ray = not ray.is_initialized()
    if own_ray:
        start_local_ray(num_cpus=opts.cpus)
    try:
        runs = [_train(storage, distinct, s, log) for s in recipes]
        seconds = [_seconds(storage, distinct, s) for s in recipes]
    finally:
        if own_ray:
            ray.shutdown()
        storage.close()
    print(f"trained or reused in {time.perf_counter() - start:.0f} s")
    seed0, seed1 = ({r: run.get(cfg_of[r].arch_id, float("nan")) for r in rows}
                    for run in runs[:2])
    mean = {r: statistics.fmean((seed0[r], seed1[r])) for r in rows}
    columns = ["seed 0", "seed 1", "2x ep"][:len(runs)]
    print(f"\n{'configuration':34} " + " ".join(f"{c:>7}" for c in columns)
          + f"   seconds ({', '.join(columns)})")
    for cfg in distinct:
        accs = [run.get(cfg.arch_id, float("nan")) for run in runs]
        secs = [s.get(cfg.arch_id, float("nan")) for s in seconds]
        print(f"{cfg.name:34} " + " ".join(f"{a:7.2f}" for a in accs)
              + "   " + " ".join(f"{t:5.0f}" for t in secs))
    one_x = [t for s in seconds[:2] for t in s.values()]
    if one_x:
        print(f"one training (1x epochs): median {statistics.median(one_x):.0f} s, "
              f"{sum(t <= 40 for t in one_x)} of {len(one_x)} within 40 s")
    print()
    print_pairs_table(pairs, mean, seed0, seed1)
    every, wide = share(agreements(pairs, mean)), share(
        agreements([p for p in pairs if p.gap >= MIN_GAP], mean))
    ceiling = share(self_agreements(pairs, seed0, seed1))
    print(f"\nagreement with the papers, all pairs:        {_fmt(every)}")
    print(f"agreement with the papers, gap >= {MIN_GAP:g} point:  {_fmt(wide)}"
          f"   target >= {TARGET_SHARE:.0%}: {'met' if wide.value >= TARGET_SHARE else 'not met'}")
    print(f"noise ceiling (seeds 0 and 1 order alike):  {_fmt(ceiling)}")
    flops = full_size_flops(rows)
    print(f"the baseline, full-size FLOPs, all pairs:   {_fmt(share(agreements(pairs, flops)))}")
    print(f"the baseline, full-size FLOPs, gap >= {MIN_GAP:g} pt: "
          f"{_fmt(share(agreements([p for p in pairs if p.gap >= MIN_GAP], flops)))}")
    print_record_taus(rows, mean, flops, [d for d in DATASETS if d in opts.datasets])
    if opts.no_horizon:
        print("horizon: not measured (--no-horizon)")
        return 0
    horizon = bootstrap(kendall_tau, [[run.get(c.arch_id, float("nan")) for c in distinct]
                                      for run in (runs[0], runs[2])])
    print(f"horizon, tau(1x, 2x epochs) over {len(distinct)} configurations: "
          f"{horizon.value:.2f} [{horizon.low:.2f}, {horizon.high:.2f}]   target >= "
          f"{TARGET_HORIZON}: {'met' if horizon.value >= TARGET_HORIZON else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
